//! What every seccomp owner here needs: whether this kernel takes a
//! filter with a listener (probed once per process), installing one on the
//! calling thread, who owns a tree's listener (`OWNER_ENV`), and the
//! error that says why a plan can't work.

use std::cell::Cell;
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::process::Command;
use std::sync::OnceLock;

use super::{filter, listener};

thread_local! {
    /// While this thread spawns through flakeproof's gate: the plan the
    /// gate consulted for the spawn (its id, 0 for none). The forked child
    /// reads its copy (a plain TLS read: safe between fork and exec); if it
    /// is the plan attached to the command, the child's first exec, the
    /// same event, is not counted again.
    pub(super) static SPAWN_COUNTED: Cell<usize> = const { Cell::new(0) };
}

/// Run `spawn` (a gated spawn, counted by the plan `by`) with
/// [`SPAWN_COUNTED`] set.
pub(crate) fn spawn_counted<R>(by: usize, spawn: impl FnOnce() -> R) -> R {
    struct Reset(usize);
    impl Drop for Reset {
        fn drop(&mut self) {
            SPAWN_COUNTED.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(SPAWN_COUNTED.with(|c| c.replace(by)));
    spawn()
}

/// The environment variable that names who owns the seccomp listener of a
/// process tree: `<owner> <pid>` (today `child-plan`; the command-line tool,
/// the shield and kernel plans on a thread will add theirs). The kernel
/// allows one listener per filter chain and answers a second with EBUSY
/// without saying whose the first is: this says it. It is a hint, never the
/// decision: the kernel's EBUSY is (a variable inherited by a process
/// outside any filter changes nothing).
pub(crate) const OWNER_ENV: &str = "FLAKEPROOF_SECCOMP_OWNER";

/// Why plans can't reach child processes here: the step that failed and
/// the OS's error, kept whole as the `source()`.
#[derive(Debug)]
pub(super) struct Unavailable {
    /// What can't work: "fault plans can't reach child processes", "the
    /// shield can't hold execs".
    pub(super) what: &'static str,
    pub(super) step: &'static str,
    pub(super) os: io::Error,
    /// [`OWNER_ENV`]'s value, when the kernel said EBUSY.
    pub(super) owner: Option<String>,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.os.raw_os_error() == Some(libc::EBUSY) {
            // One listener per process tree, and this tree has one.
            return match &self.owner {
                Some(owner) => write!(
                    f,
                    "{} here: this process runs under flakeproof's {owner} ({OWNER_ENV}), \
                     which owns the seccomp listener of its whole tree; the kernel allows one \
                     ({}: {})",
                    self.what, self.step, self.os
                ),
                None => write!(
                    f,
                    "{} here: another supervisor (not flakeproof's: a sandbox, a container \
                     runtime, a tracer) owns the seccomp listener of this process tree, and \
                     the kernel allows one ({}: {})",
                    self.what, self.step, self.os
                ),
            };
        }
        write!(
            f,
            "{} here: {} failed ({}). It needs seccomp user notification with CONTINUE \
             and pidfd_open (Linux 5.5+), which some sandboxes and container profiles refuse",
            self.what, self.step, self.os
        )
    }
}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.os)
    }
}

/// The filter flags this kernel takes, or why it takes none. Found once
/// per process (the probe costs a thread: 0.3 to 1 ms measured here).
pub(super) fn support(what: &'static str) -> io::Result<libc::c_ulong> {
    static FOUND: OnceLock<Result<libc::c_ulong, (&'static str, i32)>> = OnceLock::new();
    let found = FOUND.get_or_init(probe);
    found.map_err(|(step, code)| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            Unavailable {
                what,
                step,
                os: io::Error::from_raw_os_error(code),
                owner: std::env::var(OWNER_ENV).ok(),
            },
        )
    })
}

fn probe() -> Result<libc::c_ulong, (&'static str, i32)> {
    // pidfd_open (Linux 5.3): the supervisor's handle on each child, so
    // that a stuck one can be killed without a pid reused meanwhile.
    // SAFETY: getpid and pidfd_open take integers; the descriptor is
    // closed at once.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
    if pidfd < 0 {
        return Err(("pidfd_open (Linux 5.3)", errno()));
    }
    // SAFETY: the descriptor just opened.
    unsafe { libc::close(pidfd as RawFd) };
    // A real round trip: a throwaway thread installs a filter that
    // notifies its own getppid, and this thread answers it with CONTINUE
    // (Linux 5.5), as the supervisor answers every call it lets through.
    // The filter applies to the thread that installs it (and to what it
    // starts), and ends with it: this thread stays unfiltered.
    let (tx, rx) = std::sync::mpsc::channel();
    let caller = std::thread::spawn(move || {
        // SAFETY: prctl with integer arguments, on this thread.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            let _ = tx.send(Err(("prctl(PR_SET_NO_NEW_PRIVS)", errno())));
            return;
        }
        let program = filter::probe_program();
        // WAIT_KILLABLE_RECV (5.19+): once the supervisor has received a
        // call, a signal no longer interrupts it. Without it, a signal (Go's
        // preemption, a timer) restarts the call, and a restarted call
        // would be counted twice.
        let mut last = 0;
        for flags in [
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
        ] {
            match install(&program, flags) {
                Ok(fd) => {
                    let _ = tx.send(Ok((fd, flags)));
                    // SAFETY: getppid takes nothing; it blocks until answered.
                    unsafe { libc::getppid() };
                    return;
                }
                Err(e) => last = e,
            }
        }
        let _ = tx.send(Err((
            "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)",
            last,
        )));
    });
    let found = match rx.recv() {
        Ok(Ok((listener, flags))) => {
            let answered = listener::answer_one(listener.as_raw_fd(), None);
            if answered.is_err() {
                // Unblock the caller with an error (Linux 5.0 takes that).
                let _ = listener::answer_one(listener.as_raw_fd(), Some(libc::ENOSYS));
            }
            answered
                .map(|()| flags)
                .map_err(|e| ("SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5)", e))
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(("the probe", libc::EINVAL)),
    };
    let _ = caller.join();
    found
}

pub(super) fn errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

/// Install `program` on the calling thread; its listener, or the errno.
/// Only system calls: this runs between fork and exec.
pub(super) fn install(program: &[libc::sock_filter], flags: libc::c_ulong) -> Result<OwnedFd, i32> {
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: seccomp(2) reads `prog`, which points at `program`; both
    // live through the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flags,
            &prog as *const libc::sock_fprog,
        )
    };
    if fd < 0 {
        return Err(errno());
    }
    // SAFETY: a new descriptor the kernel just gave us.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// One listener per tree: a command given a plan or a shield already can't
/// take another (its second filter would meet the kernel's EBUSY at spawn,
/// as an error naming nothing). Said now, naming the first.
pub(super) fn refuse_second(cmd: &Command, what: &'static str) -> io::Result<()> {
    let first = cmd
        .get_envs()
        .find(|(k, v)| *k == OWNER_ENV && v.is_some())
        .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()));
    match first {
        None => Ok(()),
        Some(owner) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "{what} for this command: it has flakeproof's {owner} attached already, and a \
                 process tree has one seccomp listener (a plan and a shield go together \
                 through `ShieldExt::shield_with_faults`)"
            ),
        )),
    }
}
