//! Being told when a file's writer closes it, instead of polling: Linux
//! inotify's `IN_CLOSE_WRITE`, sent from the kernel's `__fput` when the last
//! reference to a writable open file description goes away (an inherited
//! copy in a forked child goes away at that child's exec or exit).
//!
//! The event is sent just *before* `__fput` drops the inode's write count,
//! the count execve checks for ETXTBSY: a waiter woken by it may still be
//! refused for a few microseconds, and callers retry shortly after.
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
    use crate::sys::imp::basics::cvt;
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;

    /// What the watch listens for: the close of a writable description, and
    /// the file at the path being replaced or removed (then the path names
    /// another inode, which the next attempt meets, so it is worth waking).
    const MASK: u32 =
        libc::IN_CLOSE_WRITE | libc::IN_ATTRIB | libc::IN_DELETE_SELF | libc::IN_MOVE_SELF;

    /// An inotify instance watching one file.
    pub(crate) struct CloseWatch {
        fd: OwnedFd,
    }

    impl CloseWatch {
        /// Watch `path`. Fails with the OS's error: EACCES (no read
        /// permission on the file), EMFILE (the per-user instance limit,
        /// `fs.inotify.max_user_instances`, 128 by default), ENOENT.
        pub(crate) fn new(path: &Path) -> io::Result<CloseWatch> {
            let c_path = CString::new(path.as_os_str().as_bytes())
                .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
            // SAFETY: a plain syscall; the descriptor is owned below.
            let fd = cvt(unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) })?;
            // SAFETY: `fd` was just returned to us and nothing else owns it.
            let fd = unsafe { OwnedFd::from_raw_fd(fd) };
            // SAFETY: a valid descriptor and a NUL-terminated path.
            cvt(unsafe { libc::inotify_add_watch(fd.as_raw_fd(), c_path.as_ptr(), MASK) })?;
            Ok(CloseWatch { fd })
        }

        /// Wait at most `max` for an event; true if one came (all queued
        /// events are consumed).
        pub(crate) fn wait(&self, max: Duration) -> io::Result<bool> {
            let mut pfd = libc::pollfd {
                fd: self.fd.as_raw_fd(),
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
            let n = match cvt(unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) }) {
                Ok(n) => n,
                // A signal cut the wait short: the caller tries again, as
                // after a timeout.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(false),
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(false);
            }
            self.drain()?;
            Ok(true)
        }

        /// Read every queued event: their content does not matter, only
        /// that something happened to the file.
        fn drain(&self) -> io::Result<()> {
            let mut buf = [0u8; 1024];
            loop {
                // SAFETY: reading into a buffer we own, of its length.
                let r =
                    unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
                if r > 0 {
                    continue;
                }
                let e = io::Error::last_os_error();
                return match e.kind() {
                    io::ErrorKind::WouldBlock => Ok(()),
                    io::ErrorKind::Interrupted => continue,
                    _ if r == 0 => Ok(()),
                    _ => Err(e),
                };
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

        pub(crate) fn wait(&self, _max: Duration) -> io::Result<bool> {
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
    fn a_missing_file_is_the_os_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = CloseWatch::new(&dir.path().join("nope")).err().unwrap();
        assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    }
}
