//! The shield's holds: an exec whose file still has a writer is held in
//! the supervisor until the last writer closes, then let go into the
//! kernel, whose own ETXTBSY check then passes. Nothing is retried.
//!
//! Is there a writer? The question the kernel asks at exec is the inode's
//! write count; a read lease (`F_SETLEASE(F_RDLCK)`) is refused with EAGAIN
//! exactly while it is above zero (the drain barrier's probe, `barrier.rs`).
//! When does it drop? inotify's `IN_CLOSE_WRITE` comes from `__fput` just
//! *before* the count drops, and after the last writer's event nothing
//! wakes us again: so after each event the hold re-probes on a short
//! schedule (50 µs doubling to 1 ms, for 20 ms), and between events every
//! 10 ms, so that a count that drops late (a slow `->release`, a writer
//! preempted inside `__fput`, a `truncate(2)` that sends no event, a lost
//! or overflowed event queue) costs 10 ms, never the budget.
//!
//! A hold never blocks the supervisor: it is an entry in a list, and the
//! supervisor's poll loop wakes for the inotify descriptor and for the
//! nearest re-probe or deadline. The writer is very often a forked child
//! on its way to its own exec, which must be answered meanwhile, or the
//! two would wait on each other until the budget.
//!
//! A hold is keyed by (thread, path): where a signal interrupts a held
//! exec (kernels before 5.19, without the killable wait) the kernel
//! withdraws the notification and the restarted exec sends a new one,
//! which joins the same hold, counted once.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use super::super::barrier::lease_probe;
use super::filter;
use super::listener;
use super::remote_path::target_path;
use crate::sys::ShieldStats;

/// After a close event: the first re-probe's delay, the longest, and how
/// long after the event to keep re-probing (far past the `__fput` window
/// of a few microseconds; a writer still there after it is another one,
/// whose own close sends another event).
const FIRST_REPROBE: Duration = Duration::from_micros(50);
const MAX_REPROBE: Duration = Duration::from_millis(1);
const REPROBE_FOR: Duration = Duration::from_millis(20);
/// Between events: how often a held file is asked again anyway.
const SLOW_REPROBE: Duration = Duration::from_millis(10);
/// A budget too large for the clock holds for this long at most.
const LONGEST_BUDGET: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// What to do with an exec now.
#[derive(Debug, PartialEq)]
pub(super) enum Decision {
    /// Answer "continue" now: no writer, no file, or no way to tell.
    Release,
    /// Held: the shield answers it later.
    Held,
}

/// The file an exec notification is for, as the caller names it (an
/// `execveat` of a descriptor: that descriptor's file).
pub(super) fn exec_path(n: &libc::seccomp_notif) -> Option<PathBuf> {
    let call = filter::decode(n.data.nr, &n.data.args)?;
    target_path(n.pid, &call.target, &n.data.args)
}

/// The probe's answer for one file.
#[derive(Debug, PartialEq)]
enum Writers {
    None,
    Some,
    /// Another user's file, and no CAP_LEASE (EACCES): only its owner (or
    /// root) could be writing it.
    NotOurs,
    /// The filesystem grants no lease: no way to tell.
    Unknown,
}

struct Held {
    listener: Arc<OwnedFd>,
    id: u64,
    tid: u32,
    path: PathBuf,
    /// Our read-only description of the file: what the lease is asked on
    /// (the very inode the exec will open).
    file: File,
    /// The inotify watch on it, if one could be set (else the slow
    /// re-probe alone wakes it).
    wd: Option<i32>,
    since: Instant,
    deadline: Instant,
    /// When to ask again, the next step, and until when the short schedule
    /// after a close event lasts (`None`: between events).
    next: Instant,
    step: Duration,
    fast_until: Option<Instant>,
}

/// Every exec held now, and the inotify instance that watches their files.
pub(super) struct Holds {
    stats: Arc<ShieldStats>,
    inotify: Option<OwnedFd>,
    held: Vec<Held>,
}

impl Holds {
    pub(super) fn new(stats: Arc<ShieldStats>) -> Holds {
        Holds {
            stats,
            inotify: None,
            held: Vec::new(),
        }
    }

    /// The inotify descriptor to poll, while anything is held.
    pub(super) fn fd(&self) -> Option<RawFd> {
        self.inotify
            .as_ref()
            .filter(|_| !self.held.is_empty())
            .map(AsRawFd::as_raw_fd)
    }

    /// How long the poll may sleep: until the nearest re-probe or deadline
    /// (`None`: nothing held, sleep until an event).
    pub(super) fn timeout(&self) -> Option<Duration> {
        let now = Instant::now();
        self.held
            .iter()
            .map(|h| h.next.min(h.deadline))
            .min()
            .map(|t| t.saturating_duration_since(now))
    }

    /// A new exec notification (`id` on `listener`, from thread `tid`) of
    /// the file at `path`.
    pub(super) fn exec(
        &mut self,
        listener: &Arc<OwnedFd>,
        id: u64,
        tid: u32,
        path: &Path,
    ) -> Decision {
        // A restarted exec: the same hold, its new notification.
        if let Some(h) = self
            .held
            .iter_mut()
            .find(|h| h.tid == tid && h.path == path)
        {
            h.listener = listener.clone();
            h.id = id;
            return Decision::Held;
        }
        let Some(file) = open_regular(path) else {
            // Not there (a PATH candidate), not a regular file (the kernel
            // refuses to exec those), or not ours to open: the kernel
            // answers the exec itself.
            return Decision::Release;
        };
        self.stats.execs.fetch_add(1, Relaxed);
        if !self.writer_there(&file) {
            return Decision::Release;
        }
        // Watch first, then ask again: a close between the first probe and
        // the watch would send an event nobody saw. Without a watch (the
        // per-user inotify limit) the slow re-probe alone wakes the hold.
        let wd = self.watch(&file);
        if probe(&file) == Writers::None {
            if let Some(wd) = wd {
                self.unwatch(wd);
            }
            return Decision::Release;
        }
        self.stats.held.fetch_add(1, Relaxed);
        let now = Instant::now();
        let budget = self.stats.budget.min(LONGEST_BUDGET);
        self.held.push(Held {
            listener: listener.clone(),
            id,
            tid,
            path: path.to_owned(),
            file,
            wd,
            since: now,
            deadline: now.checked_add(budget).unwrap_or(now + LONGEST_BUDGET),
            next: now + SLOW_REPROBE,
            step: SLOW_REPROBE,
            fast_until: None,
        });
        Decision::Held
    }

    /// An exec of a file whose path couldn't be read from the caller (its
    /// memory or /proc refused us): let go, and counted as unchecked.
    pub(super) fn unreadable(&self) {
        self.stats.execs.fetch_add(1, Relaxed);
        self.stats.unchecked.fetch_add(1, Relaxed);
    }

    /// The first probe of a new exec's file, counted: does it have a
    /// writer?
    fn writer_there(&self, file: &File) -> bool {
        match probe(file) {
            Writers::Some => true,
            Writers::None => false,
            Writers::NotOurs => {
                self.stats.not_ours.fetch_add(1, Relaxed);
                false
            }
            Writers::Unknown => {
                self.stats.unchecked.fetch_add(1, Relaxed);
                false
            }
        }
    }

    /// The inotify descriptor is readable: start re-probing the holds
    /// whose file a writer closed.
    pub(super) fn events(&mut self) {
        let Some(fd) = &self.inotify else { return };
        let mut buf = [0u8; 4096];
        let now = Instant::now();
        loop {
            // SAFETY: read into a buffer we own; the descriptor is
            // non-blocking.
            let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                break;
            }
            let mut at = 0usize;
            while at + std::mem::size_of::<libc::inotify_event>() <= n as usize {
                // SAFETY: the kernel wrote whole events; read_unaligned
                // copies the header out of the byte buffer.
                let ev: libc::inotify_event =
                    unsafe { std::ptr::read_unaligned(buf.as_ptr().add(at).cast()) };
                // IN_Q_OVERFLOW (wd -1): events were lost; ask every hold.
                let all = ev.mask & libc::IN_Q_OVERFLOW != 0;
                for h in self.held.iter_mut().filter(|h| all || h.wd == Some(ev.wd)) {
                    h.next = now;
                    h.step = FIRST_REPROBE;
                    h.fast_until = Some(now + REPROBE_FOR);
                }
                at += std::mem::size_of::<libc::inotify_event>() + ev.len as usize;
            }
        }
    }

    /// Re-probe what is due, let go what is clear or out of budget.
    pub(super) fn tick(&mut self) {
        let now = Instant::now();
        let mut i = 0;
        while i < self.held.len() {
            let h = &mut self.held[i];
            let due = h.next <= now || h.deadline <= now;
            let clear = due && probe(&h.file) == Writers::None;
            if clear || h.deadline <= now {
                // At the budget, one last probe decided: a count that has
                // just dropped is a release like any other.
                let h = self.held.swap_remove(i);
                self.release(h, !clear);
                continue;
            }
            if due {
                if h.fast_until.is_some_and(|until| now < until) {
                    h.next = now + h.step;
                    h.step = (h.step * 2).min(MAX_REPROBE);
                } else {
                    h.fast_until = None;
                    h.next = now + SLOW_REPROBE;
                }
            }
            i += 1;
        }
    }

    /// A new tree came under the shield.
    pub(super) fn tree_started(&self) {
        self.stats.trees.fetch_add(1, Relaxed);
    }

    /// The tree of `listener` is gone (its last process exited): its holds
    /// with it.
    pub(super) fn forget(&mut self, listener: &Arc<OwnedFd>) {
        self.stats.trees.fetch_sub(1, Relaxed);
        let (gone, kept) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| Arc::ptr_eq(&h.listener, listener));
        self.held = kept;
        for h in gone {
            if let Some(wd) = h.wd {
                self.unwatch(wd);
            }
        }
    }

    /// Let `h` go on into the kernel; `by_budget`: its writer is still
    /// there (the kernel will answer ETXTBSY, as it would have at once).
    fn release(&mut self, h: Held, by_budget: bool) {
        let answered = listener::respond(h.listener.as_raw_fd(), h.id, None).is_ok();
        // A withdrawn notification (its thread died, or a signal
        // interrupted it and the restart has not come yet) is not a
        // release by the budget: nobody was waiting.
        if answered {
            let took = h.since.elapsed().as_nanos() as u64;
            self.stats.total_hold_ns.fetch_add(took, Relaxed);
            self.stats.longest_hold_ns.fetch_max(took, Relaxed);
            if by_budget {
                self.stats.released_by_budget.fetch_add(1, Relaxed);
            }
        }
        let wd = h.wd;
        drop(h);
        if let Some(wd) = wd {
            self.unwatch(wd);
        }
    }

    /// Watch `file`'s inode for the close of a writable description.
    fn watch(&mut self, file: &File) -> Option<i32> {
        if self.inotify.is_none() {
            // SAFETY: inotify_init1 with flags; a new descriptor or -1.
            let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
            if fd < 0 {
                return None;
            }
            // SAFETY: a descriptor the kernel just gave us.
            self.inotify = Some(unsafe { OwnedFd::from_raw_fd(fd) });
        }
        let inotify = self.inotify.as_ref()?.as_raw_fd();
        // The magic link names our description's inode, whatever the path
        // names by now.
        let path = format!("/proc/self/fd/{}\0", file.as_raw_fd());
        // SAFETY: a NUL-terminated path that lives through the call.
        let wd =
            unsafe { libc::inotify_add_watch(inotify, path.as_ptr().cast(), libc::IN_CLOSE_WRITE) };
        (wd >= 0).then_some(wd)
    }

    /// Remove watch `wd` unless another hold shares it (one inode, one
    /// watch).
    fn unwatch(&mut self, wd: i32) {
        if self.held.iter().any(|h| h.wd == Some(wd)) {
            return;
        }
        if let Some(fd) = &self.inotify {
            // SAFETY: a plain syscall; a stale wd gets EINVAL, harmless.
            unsafe { libc::inotify_rm_watch(fd.as_raw_fd(), wd) };
        }
    }
}

/// Open the file at `path` for the probe, if it is a regular file: first
/// as a bare handle (`O_PATH`: no open of a FIFO or a device, which could
/// block, wake a writer waiting for a reader, or act on the device), then
/// read-only through it, the very inode the handle names.
fn open_regular(path: &Path) -> Option<File> {
    let handle = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH)
        .open(path)
        .ok()?;
    if !handle.metadata().ok()?.file_type().is_file() {
        return None;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(format!("/proc/self/fd/{}", handle.as_raw_fd()))
        .ok()
}

/// Does the file open on `file` have a writer? The drain barrier's lease
/// probe (its break signal is SIGURG, not SIGIO's process-ending default),
/// its errors sorted for the report.
fn probe(file: &File) -> Writers {
    match lease_probe(file.as_raw_fd()) {
        Ok(true) => Writers::None,
        Ok(false) => Writers::Some,
        Err(e) if e.raw_os_error() == Some(libc::EACCES) => Writers::NotOurs,
        Err(_) => Writers::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_restarted_exec_joins_its_hold_and_is_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stub");
        let writer = File::create(&path).unwrap();
        if probe(&File::open(&path).unwrap()) != Writers::Some {
            return; // no leases on this filesystem
        }
        let stats = Arc::new(ShieldStats {
            budget: Duration::from_secs(30),
            ..ShieldStats::default()
        });
        let mut holds = Holds::new(stats.clone());
        // Not a listener: the answers fail (ENOTTY), as for a notification
        // the kernel withdrew, and are not counted.
        let listener = Arc::new(OwnedFd::from(File::open("/dev/null").unwrap()));
        assert_eq!(holds.exec(&listener, 1, 4242, &path), Decision::Held);
        assert_eq!(holds.exec(&listener, 2, 4242, &path), Decision::Held);
        assert_eq!(stats.held.load(Relaxed), 1);
        assert_eq!(stats.execs.load(Relaxed), 1);
        assert_eq!(holds.held.len(), 1);
        assert_eq!(
            holds.held[0].id, 2,
            "the restart's notification is answered"
        );
        // Another thread's exec of the same file is a hold of its own,
        // sharing the watch.
        assert_eq!(holds.exec(&listener, 3, 4243, &path), Decision::Held);
        assert_eq!(stats.held.load(Relaxed), 2);
        assert_eq!(holds.held[0].wd, holds.held[1].wd);
        drop(writer);
        let give_up = Instant::now() + Duration::from_secs(10);
        while !holds.held.is_empty() {
            assert!(Instant::now() < give_up, "never released");
            std::thread::sleep(holds.timeout().unwrap_or_default());
            holds.events();
            holds.tick();
        }
        assert_eq!(stats.released_by_budget.load(Relaxed), 0);
    }

    #[test]
    fn the_probe_sees_a_writer_until_its_last_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stub");
        let mut w = File::create(&path).unwrap();
        // flakeproof: allow(shell-script-stub) a stub held open for writing to test the shield
        w.write_all(b"#!/bin/sh\n").unwrap();
        let r = File::open(&path).unwrap();
        assert_eq!(probe(&r), Writers::Some);
        let copy = w.try_clone().unwrap();
        drop(w);
        assert_eq!(probe(&r), Writers::Some, "a copy of the description writes");
        drop(copy);
        assert_eq!(probe(&r), Writers::None);
    }
}
