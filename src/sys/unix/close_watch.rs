//! Being told when a file's writer closes it, instead of polling: Linux
//! inotify's `IN_CLOSE_WRITE`, sent from the kernel's `__fput` when the last
//! reference to a writable open file description goes away (an inherited
//! copy in a forked child goes away at that child's exec or exit).
//!
//! The event is sent just *before* `__fput` drops the inode's write count,
//! the count execve checks for ETXTBSY: a waiter woken by it may still be
//! refused for a few microseconds, and callers retry shortly after.
//!
//! The same watch on a directory ([`CloseWatch::dir_entries`]) also wakes
//! when a name is created or renamed in it: a fake directory's records
//! arrive that way and end with their writer's close (`sys::fakes`).
//!
//! Other Unixes have no close notification (kqueue's `NOTE_CLOSE_WRITE` is
//! FreeBSD's only, and macOS has no ETXTBSY to wait out): there the watch is
//! `Unsupported` and callers sleep instead.

use std::io;
use std::path::Path;
use std::time::Duration;

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use linux::CloseWatch;

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) use other::CloseWatch;

#[cfg(any(target_os = "linux", target_os = "android"))]
mod linux {
    use super::*;
    use crate::sys::imp::files::cvt;
    use std::cell::Cell;
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;

    /// What the watch listens for: the close of a writable description, and
    /// the file at the path being replaced or removed (then the path names
    /// another inode, which the next attempt meets, so it is worth waking).
    const MASK: u32 =
        libc::IN_CLOSE_WRITE | libc::IN_ATTRIB | libc::IN_DELETE_SELF | libc::IN_MOVE_SELF;

    /// What a watch on a directory's entries listens for: a name created
    /// (or hard-linked) in it, a name renamed into it, and the close of a
    /// writable description of a file in it (the kernel reports that to the
    /// directory even once the name it was opened by is gone).
    const ENTRIES: u32 =
        libc::IN_CREATE | libc::IN_MOVED_TO | libc::IN_CLOSE_WRITE | libc::IN_ONLYDIR;

    thread_local! {
        /// This thread's inotify instance, kept between waits. Closing an
        /// instance that has had a watch waits for an SRCU grace period:
        /// 4 to 12 ms measured here, against 1.4 µs to remove a watch. A
        /// wait that closed its instance would add that to every retried
        /// spawn and every install the barrier made wait. The instance is
        /// closed when the thread exits; one per thread that ever waited
        /// counts against the per-user limit (128 by default).
        static SPARE: Cell<Option<OwnedFd>> = const { Cell::new(None) };
    }

    /// One file watched on this thread's inotify instance; the watch is
    /// removed on drop.
    pub(crate) struct CloseWatch {
        fd: Option<OwnedFd>,
        wd: libc::c_int,
        /// Keep the instance for this thread's next watch when dropped
        /// (false: close it, see [`close_on_drop`](Self::close_on_drop)).
        spare: bool,
    }

    impl CloseWatch {
        /// Watch `path`. Fails with the OS's error: EACCES (no read
        /// permission on the file), EMFILE (the per-user instance limit,
        /// `fs.inotify.max_user_instances`), ENOSPC (the watch limit),
        /// ENOENT.
        pub(crate) fn new(path: &Path) -> io::Result<CloseWatch> {
            CloseWatch::with_mask(path, MASK)
        }

        /// Watch the entries of directory `dir` (see [`ENTRIES`]). Fails as
        /// [`new`](Self::new) does, and with ENOTDIR if `dir` is not one.
        pub(crate) fn dir_entries(dir: &Path) -> io::Result<CloseWatch> {
            CloseWatch::with_mask(dir, ENTRIES)
        }

        fn with_mask(path: &Path, mask: u32) -> io::Result<CloseWatch> {
            let c_path = CString::new(path.as_os_str().as_bytes())
                .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
            let fd = match SPARE.with(Cell::take) {
                Some(fd) => fd,
                None => {
                    // SAFETY: a plain syscall; the descriptor is owned below.
                    let fd =
                        cvt(unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) })?;
                    // SAFETY: `fd` was just returned to us and nothing else owns it.
                    unsafe { OwnedFd::from_raw_fd(fd) }
                }
            };
            // SAFETY: a valid descriptor and a NUL-terminated path.
            match cvt(unsafe { libc::inotify_add_watch(fd.as_raw_fd(), c_path.as_ptr(), mask) }) {
                Ok(wd) => Ok(CloseWatch {
                    fd: Some(fd),
                    wd,
                    spare: true,
                }),
                Err(e) => {
                    give_back(fd);
                    Err(e)
                }
            }
        }

        pub(super) fn raw(&self) -> libc::c_int {
            self.fd.as_ref().map_or(-1, AsRawFd::as_raw_fd)
        }

        /// Close the inotify instance when this drops, instead of keeping it
        /// for the thread's next watch: an async wait's future may be
        /// dropped on any worker, and must leave no descriptor behind. The
        /// close happens on a short-lived thread, so that neither the task
        /// nor the worker waits out the kernel's grace period: the
        /// descriptor is gone some milliseconds after the drop.
        #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
        pub(crate) fn close_on_drop(&mut self) {
            self.spare = false;
        }

        /// [`wait`](Self::wait) for async code: the descriptor registered
        /// with tokio's reactor for the length of the wait, and tokio's
        /// timer (whole milliseconds: a 50 µs wait lasts one), so no worker
        /// blocks. `None` if the reactor refused the descriptor (the caller
        /// then sleeps). A runtime without its I/O driver makes tokio panic
        /// here: the async spawns and `run_on_async` document that they
        /// need one.
        #[cfg(feature = "tokio")]
        pub(crate) async fn wait_async(&self, max: Duration) -> Option<bool> {
            use ::tokio::io::Interest;
            use ::tokio::io::unix::AsyncFd;
            /// The watch's descriptor, borrowed: the watch owns and closes it.
            struct Borrowed(std::os::fd::RawFd);
            impl AsRawFd for Borrowed {
                fn as_raw_fd(&self) -> std::os::fd::RawFd {
                    self.0
                }
            }
            // SAFETY: the descriptor is this watch's, open for as long as
            // the watch lives, which outlives this AsyncFd (dropped at the
            // end of this function, within the borrow of `self`).
            let fd = unsafe {
                AsyncFd::register_with_interest(Borrowed(self.raw()), Interest::READABLE)
            }
            .ok()?;
            match ::tokio::time::timeout(max, fd.readable()).await {
                Ok(Ok(mut ready)) => {
                    let event = drain(self.raw(), self.wd).unwrap_or(false);
                    ready.clear_ready();
                    Some(event)
                }
                Ok(Err(_)) => None,
                Err(_elapsed) => Some(false),
            }
        }

        /// Wait at most `max` for an event on this file; true if one came
        /// (all queued events are consumed).
        pub(crate) fn wait(&self, max: Duration) -> io::Result<bool> {
            let mut pfd = libc::pollfd {
                fd: self.raw(),
                events: libc::POLLIN,
                revents: 0,
            };
            // ppoll, not poll: the waits after a wake-up are 50 µs, below
            // poll's millisecond resolution.
            let ts = libc::timespec {
                tv_sec: max.as_secs() as libc::time_t,
                tv_nsec: max.subsec_nanos() as libc::c_long,
            };
            // SAFETY: one valid pollfd, a valid timespec, no signal mask.
            match cvt(unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) }) {
                Ok(0) => Ok(false),
                Ok(_) => drain(self.raw(), self.wd),
                // A signal cut the wait short: the caller tries again, as
                // after a timeout.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
                Err(e) => Err(e),
            }
        }
    }

    impl Drop for CloseWatch {
        fn drop(&mut self) {
            let Some(fd) = self.fd.take() else { return };
            if !self.spare {
                // Closing the instance removes its watch, and waits for
                // the kernel's SRCU grace period (see SPARE): 14 ms median
                // in benches/async_retry.rs, all of it added to a retried
                // spawn's return when the close was on the task's path.
                // A thread of its own waits it out instead (started in
                // about 50 µs, gone with the close); where no thread can
                // be started, the closure and the descriptor drop here.
                let _ = std::thread::Builder::new()
                    .name("flakeproof-inotify-close".into())
                    .spawn(move || drop(fd));
                return;
            }
            // SAFETY: our descriptor and our watch (`as _`: Android's libc
            // takes the descriptor as u32). Removing it queues
            // IN_IGNORED, read below with anything else left.
            let removed = unsafe { libc::inotify_rm_watch(fd.as_raw_fd(), self.wd as _) } == 0;
            if removed && drain(fd.as_raw_fd(), -1).is_ok() {
                give_back(fd);
            }
            // Otherwise the instance is in a state we don't know: close it.
        }
    }

    /// Keep `fd` for this thread's next wait; if a nested wait (a retry
    /// hook that installs a stub) already put one back, close this one.
    fn give_back(fd: OwnedFd) {
        SPARE.with(|spare| {
            let kept = spare.take().unwrap_or(fd); // the other one is closed
            spare.set(Some(kept));
        });
    }

    /// Read every queued event; true if one was for watch `wd` (other than
    /// the IN_IGNORED of its removal). Events of a watch removed before are
    /// skipped.
    fn drain(fd: libc::c_int, wd: libc::c_int) -> io::Result<bool> {
        // Aligned for `inotify_event`; room for many events: a file watch's
        // carry no name, a directory watch's carry one (NAME_MAX at most,
        // so one full event always fits in 4 KiB, and read never EINVALs).
        let mut buf = [0u64; 512];
        let size = std::mem::size_of::<libc::inotify_event>();
        let mut ours = false;
        loop {
            // SAFETY: reading into a buffer we own, of its length in bytes.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), std::mem::size_of_val(&buf)) };
            if n <= 0 {
                let e = io::Error::last_os_error();
                return match e.kind() {
                    _ if n == 0 => Ok(ours),
                    io::ErrorKind::WouldBlock => Ok(ours),
                    io::ErrorKind::Interrupted => continue,
                    _ => Err(e),
                };
            }
            let bytes = n as usize;
            let mut at = 0;
            while at + size <= bytes {
                // SAFETY: the kernel wrote whole events from the buffer's
                // start; `at` is at an event's start, and read_unaligned
                // needs no alignment.
                let ev: libc::inotify_event =
                    unsafe { std::ptr::read_unaligned(buf.as_ptr().cast::<u8>().add(at).cast()) };
                ours |= ev.wd == wd && ev.mask & libc::IN_IGNORED == 0;
                at += size + ev.len as usize;
            }
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod other {
    use super::*;

    pub(crate) enum CloseWatch {}

    impl CloseWatch {
        pub(crate) fn new(_path: &Path) -> io::Result<CloseWatch> {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }

        pub(crate) fn dir_entries(_dir: &Path) -> io::Result<CloseWatch> {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }

        pub(crate) fn wait(&self, _max: Duration) -> io::Result<bool> {
            match *self {}
        }

        #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
        pub(crate) fn close_on_drop(&mut self) {
            match *self {}
        }

        #[cfg(feature = "tokio")]
        pub(crate) async fn wait_async(&self, _max: Duration) -> Option<bool> {
            match *self {}
        }
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;
    use std::fs::{File, OpenOptions};

    #[test]
    fn the_close_of_a_writable_description_wakes_the_watch_and_a_read_only_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("prog");
        std::fs::write(&p, "x").unwrap();
        let writer = OpenOptions::new().write(true).open(&p).unwrap();
        let watch = CloseWatch::new(&p).unwrap();
        assert!(
            !watch.wait(Duration::ZERO).unwrap(),
            "an event before any close"
        );
        drop(File::open(&p).unwrap()); // IN_CLOSE_NOWRITE: not listened for
        assert!(!watch.wait(Duration::ZERO).unwrap());
        drop(writer);
        // The event is queued by the close itself, before `drop` returns:
        // no timer decides this.
        assert!(watch.wait(Duration::ZERO).unwrap());
        assert!(
            !watch.wait(Duration::ZERO).unwrap(),
            "the queue was drained"
        );
    }

    #[test]
    fn the_instance_is_kept_between_watches_and_an_old_watchs_events_are_not_ours() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "x").unwrap();
        std::fs::write(&b, "x").unwrap();
        let first = CloseWatch::new(&a).unwrap();
        let fd = first.raw();
        drop(first);
        let second = CloseWatch::new(&b).unwrap();
        assert_eq!(second.raw(), fd, "the thread's instance is reused");
        // A close of `a`, no longer watched, does not wake a wait on `b`.
        drop(OpenOptions::new().write(true).open(&a).unwrap());
        assert!(!second.wait(Duration::ZERO).unwrap());
        drop(OpenOptions::new().write(true).open(&b).unwrap());
        assert!(second.wait(Duration::ZERO).unwrap());
        // Nested: a second watch while the first is live gets its own
        // instance.
        let nested = CloseWatch::new(&a).unwrap();
        assert_ne!(nested.raw(), second.raw());
    }

    #[test]
    fn a_directory_watch_wakes_for_names_arriving_and_for_closes_after_writing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let watch = CloseWatch::dir_entries(d).unwrap();
        assert!(
            !watch.wait(Duration::ZERO).unwrap(),
            "an event before any change"
        );
        // A record's life, as the fake shim leads it: written under a temp
        // name, linked in under its number, the temp name removed, then
        // appended to and closed at exit. Every step here queues its event
        // before the call that makes it returns: no timer decides this.
        let tmp = d.join("tmp-1");
        let mut record = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .unwrap();
        assert!(watch.wait(Duration::ZERO).unwrap(), "create");
        std::fs::hard_link(&tmp, d.join("1")).unwrap();
        assert!(watch.wait(Duration::ZERO).unwrap(), "link");
        std::fs::remove_file(&tmp).unwrap();
        assert!(
            !watch.wait(Duration::ZERO).unwrap(),
            "a removal is not listened for"
        );
        std::io::Write::write_all(&mut record, b"end").unwrap();
        assert!(
            !watch.wait(Duration::ZERO).unwrap(),
            "a write alone is not listened for"
        );
        drop(File::open(d.join("1")).unwrap());
        assert!(!watch.wait(Duration::ZERO).unwrap(), "a read-only close");
        drop(record);
        assert!(
            watch.wait(Duration::ZERO).unwrap(),
            "the close, its name long gone"
        );
        std::fs::write(d.join("tmp-2"), "x").unwrap();
        assert!(watch.wait(Duration::ZERO).unwrap());
        std::fs::rename(d.join("tmp-2"), d.join("2.stdin")).unwrap();
        assert!(watch.wait(Duration::ZERO).unwrap(), "a rename into it");
    }

    #[test]
    fn a_directory_watch_on_a_file_is_enotdir() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "x").unwrap();
        let e = CloseWatch::dir_entries(&f).err().unwrap();
        assert_eq!(e.raw_os_error(), Some(libc::ENOTDIR));
    }

    #[test]
    fn a_missing_file_is_the_os_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = CloseWatch::new(&dir.path().join("nope")).err().unwrap();
        assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    }
}
