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
//! schedule (50 µs doubling to 1 ms, for 20 ms), then waits for the next
//! event, or for the budget.
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
    /// The lease was refused for another reason (not our file and no
    /// CAP_LEASE, a filesystem without leases): no way to tell.
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
    wd: i32,
    since: Instant,
    deadline: Instant,
    /// The re-probe schedule after a close event: when, the next step, and
    /// until when.
    reprobe: Option<(Instant, Duration, Instant)>,
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
            .map(|h| h.reprobe.map_or(h.deadline, |(at, ..)| at.min(h.deadline)))
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
        // Non-blocking: an exec of a FIFO would otherwise block the
        // supervisor in open until some writer came along.
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path);
        let Ok(file) = opened else {
            // Not there (a PATH candidate), or not readable by us: the
            // kernel answers the exec itself.
            return Decision::Release;
        };
        self.stats.execs.fetch_add(1, Relaxed);
        match probe(&file) {
            Writers::None => return Decision::Release,
            Writers::Unknown => {
                self.stats.unchecked.fetch_add(1, Relaxed);
                return Decision::Release;
            }
            Writers::Some => {}
        }
        // Watch first, then ask again: a close between the first probe and
        // the watch would send an event nobody saw.
        let Some(wd) = self.watch(&file) else {
            self.stats.unchecked.fetch_add(1, Relaxed);
            return Decision::Release;
        };
        if probe(&file) == Writers::None {
            self.unwatch(wd);
            return Decision::Release;
        }
        self.stats.held.fetch_add(1, Relaxed);
        let now = Instant::now();
        self.held.push(Held {
            listener: listener.clone(),
            id,
            tid,
            path: path.to_owned(),
            file,
            wd,
            since: now,
            deadline: now + self.stats.budget,
            reprobe: None,
        });
        Decision::Held
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
                for h in self.held.iter_mut().filter(|h| h.wd == ev.wd) {
                    h.reprobe = Some((now, FIRST_REPROBE, now + REPROBE_FOR));
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
            let clear = match h.reprobe {
                Some((at, step, until)) if at <= now => {
                    let clear = probe(&h.file) == Writers::None;
                    h.reprobe = (!clear && now < until)
                        .then(|| (now + step, (step * 2).min(MAX_REPROBE), until));
                    clear
                }
                _ => false,
            };
            if clear || now >= h.deadline {
                let h = self.held.swap_remove(i);
                self.release(h, !clear);
            } else {
                i += 1;
            }
        }
    }

    /// The tree of `listener` is gone: its holds with it.
    pub(super) fn forget(&mut self, listener: &Arc<OwnedFd>) {
        let (gone, kept) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| Arc::ptr_eq(&h.listener, listener));
        self.held = kept;
        for h in gone {
            let wd = h.wd;
            drop(h);
            self.unwatch(wd);
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
        self.unwatch(wd);
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
        if self.held.iter().any(|h| h.wd == wd) {
            return;
        }
        if let Some(fd) = &self.inotify {
            // SAFETY: a plain syscall; a stale wd gets EINVAL, harmless.
            unsafe { libc::inotify_rm_watch(fd.as_raw_fd(), wd) };
        }
    }
}

/// Does the file open on `file` have a writer? A read lease, taken and
/// dropped at once. Its break signal goes to SIGURG, ignored by default
/// (and tolerated spurious by runtimes that use it, Go's): a writer opening
/// the file in the microseconds the lease is held makes the kernel signal
/// the lease's owner, this process, and SIGIO's default would end it.
fn probe(file: &File) -> Writers {
    /// `F_SETSIG` (Linux, all architectures; not in the libc crate).
    const F_SETSIG: libc::c_int = 10;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor `file` keeps open.
    unsafe { libc::fcntl(fd, F_SETSIG, libc::SIGURG) };
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) } == 0 {
        // SAFETY: as above; the lease must not outlive the probe.
        unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) };
        return Writers::None;
    }
    match std::io::Error::last_os_error().raw_os_error() {
        Some(libc::EAGAIN) => Writers::Some,
        _ => Writers::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_probe_sees_a_writer_until_its_last_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stub");
        let mut w = File::create(&path).unwrap();
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
