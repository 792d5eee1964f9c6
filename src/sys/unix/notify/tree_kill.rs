//! Control's end: stopping every child tree when the plan's guard drops,
//! so a child stuck on an injected fault can't outlive its test. Each
//! tree's direct child is held by a pidfd, never by pid alone: once it has
//! exited and been reaped its pid can be someone else's, and so can the
//! pids of what were its children. Descendants are found through
//! `/proc/PID/task/TID/children`, which lists only children still attached
//! to their parent, so they are killed before the direct child is.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// One tree's direct child: the process that installed the filter.
pub(super) struct DirectChild {
    /// Signalled instead of the pid, which may be reused once it exits.
    pub(super) pidfd: OwnedFd,
    /// To find its descendants in /proc while it lives.
    pub(super) pid: u32,
}

/// What the guard's drop reaches: the trees to stop, and whether the plan
/// has ended (then every call passes unrecorded).
#[derive(Default)]
pub(super) struct Control {
    ended: AtomicBool,
    /// The direct child of every tree that hasn't exited whole yet.
    children: Mutex<Vec<DirectChild>>,
}

impl Control {
    pub(super) fn ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// A new tree: stopped by [`Control::end`] until [`Control::forget`].
    pub(super) fn add(&self, child: DirectChild) {
        self.lock().push(child);
    }

    /// Every process of the tree rooted at `pid` has exited: nothing left
    /// to kill, and its pidfd must not pile up over thousands of spawns.
    pub(super) fn forget(&self, pid: u32) {
        self.lock().retain(|c| c.pid != pid);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<DirectChild>> {
        self.children.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The plan ended: stop every tree. Descendants first, found through
    /// `/proc/PID/task/TID/children` while their parents still hold them,
    /// then the direct child through its pidfd. A process that left the
    /// tree by a double fork is out of reach: it runs on, unfaulted, and
    /// the supervisor keeps answering it until it exits.
    ///
    /// The walk and the kills run outside the lock: on a thread under a
    /// kernel plan the walk's opens can be handed to the supervisor, which
    /// takes this lock when a child announces itself (it deadlocked so).
    pub(super) fn end(&self) {
        self.ended.store(true, Ordering::SeqCst);
        let children: Vec<DirectChild> = self
            .lock()
            .iter()
            .filter_map(|c| {
                let pidfd = c.pidfd.try_clone().ok()?;
                Some(DirectChild { pidfd, pid: c.pid })
            })
            .collect();
        for child in &children {
            if hung_up(child.pidfd.as_raw_fd(), 0) {
                // A pidfd is readable once its process has exited: its pid
                // may be someone else's by now, and so may its children.
                continue;
            }
            // Frozen first, then every descendant as the walk finds it: a
            // process whose child dies reacts (a shell runs its next
            // command, or exits before its own SIGKILL lands, with a status
            // of its own: seen in CI), and a stopped one forks nothing
            // new, so the walk's lists hold still.
            signal(&child.pidfd, libc::SIGSTOP);
            for d in descendants(child.pid) {
                // SAFETY: kill takes plain integers. `d` was read from
                // /proc a moment ago as a live descendant, stopped since.
                unsafe { libc::kill(d as libc::pid_t, libc::SIGKILL) };
            }
            signal(&child.pidfd, libc::SIGKILL);
        }
    }
}

/// Send `sig` through `pidfd`; fails harmlessly (ESRCH) if it exited.
fn signal(pidfd: &OwnedFd, sig: libc::c_int) {
    // SAFETY: pidfd_send_signal on a pidfd we own; a null siginfo is
    // allowed.
    unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
}

/// Every descendant of `pid` that /proc shows now, deepest last, each
/// stopped (SIGSTOP) as it is found, before its own children are read.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let children = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
            for c in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                if !found.contains(&c) {
                    // SAFETY: kill with integers, on a pid /proc just
                    // listed as a child in this tree.
                    unsafe { libc::kill(c as libc::pid_t, libc::SIGSTOP) };
                    found.push(c);
                    queue.push(c);
                }
            }
        }
    }
    found
}

/// Is `fd` readable (or hung up) within `timeout_ms`? A pidfd is, once its
/// process has exited; a pipe, once every write end has closed.
pub(super) fn hung_up(fd: RawFd, timeout_ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut p, 1, timeout_ms) > 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::os::fd::FromRawFd;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    fn pidfd_open(pid: u32) -> OwnedFd {
        // SAFETY: pidfd_open takes integers.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
        assert!(fd >= 0, "pidfd_open: {}", std::io::Error::last_os_error());
        // SAFETY: a new descriptor the kernel just gave us.
        unsafe { OwnedFd::from_raw_fd(fd as RawFd) }
    }

    fn pids(c: &Control) -> Vec<u32> {
        c.lock().iter().map(|c| c.pid).collect()
    }

    #[test]
    fn a_finished_tree_leaves_the_kill_list_and_only_it() {
        let c = Control::default();
        for pid in [10, 11, 12] {
            let pidfd = std::fs::File::open("/dev/null").unwrap().into();
            c.add(DirectChild { pidfd, pid });
        }
        c.forget(11);
        assert_eq!(pids(&c), [10, 12]);
        c.forget(99);
        assert_eq!(pids(&c), [10, 12]);
    }

    #[test]
    fn ending_kills_the_direct_child_and_its_descendants() {
        // The grandchild's pid comes back once the shell has forked it. The
        // shell then becomes a sleep itself: a `wait` would return when the
        // grandchild is killed, and the shell exit on its own, first.
        let mut sh = Command::new("/bin/sh")
            .args(["-c", "sleep 600 & echo $!; exec sleep 600"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(sh.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let grandchild: u32 = line.trim().parse().unwrap();
        let grandchild_fd = pidfd_open(grandchild);
        assert_eq!(descendants(sh.id()), [grandchild]);
        let c = Control::default();
        c.add(DirectChild {
            pidfd: pidfd_open(sh.id()),
            pid: sh.id(),
        });
        assert!(!c.ended());
        c.end();
        assert!(c.ended());
        assert_eq!(sh.wait().unwrap().signal(), Some(libc::SIGKILL));
        // Not our child, so no exit status: its pidfd turns readable when it
        // exits. SIGKILL is asynchronous; 30 s only bounds a failure.
        let killed = hung_up(grandchild_fd.as_raw_fd(), 30_000);
        if !killed {
            // SAFETY: as in `end`.
            unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    grandchild_fd.as_raw_fd(),
                    libc::SIGKILL,
                    std::ptr::null::<libc::siginfo_t>(),
                    0,
                )
            };
        }
        assert!(killed, "the grandchild outlived the end of the plan");
    }
}
