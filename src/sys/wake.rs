//! The retry engine's waker ([`Wake`]): a watch on the file a retried call
//! found busy, so that the wait before the next attempt ends when its writer
//! closes it rather than when a timer runs out.
//!
//! Setting the watch consults the fault plan as a metadata read of the file
//! (it resolves the path like `stat`): a plan can make it fail, and the
//! retry then sleeps its schedule, as it does wherever the OS can't notify.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::process::Command;

use super::imp::CloseWatch;
use super::process::Program;
use crate::classify::{Op, is_etxtbsy};
use crate::fault::gate;
use crate::os::Os;
use crate::retry::Wake;

/// Waits for the writers of one file to close it.
pub(crate) struct CloseWaker {
    target: Target,
    watch: Option<CloseWatch>,
}

/// The file to watch, or how to find it once a call has failed.
enum Target {
    Path(PathBuf),
    Program(Program),
}

impl CloseWaker {
    /// A waker for the file at `path`.
    pub(crate) fn on_path(path: PathBuf) -> CloseWaker {
        CloseWaker {
            target: Target::Path(path),
            watch: None,
        }
    }

    /// A waker for the program `cmd` runs, resolved only if a spawn fails.
    pub(crate) fn on_program(cmd: &Command) -> CloseWaker {
        CloseWaker {
            target: Target::Program(Program::of(cmd)),
            watch: None,
        }
    }

    fn watch(path: &Path) -> io::Result<CloseWatch> {
        let _gated = gate(Op::Metadata, path)?;
        CloseWatch::new(path)
    }
}

impl Wake for CloseWaker {
    fn arm(&mut self, err: &io::Error) -> bool {
        // Only ETXTBSY means "a writer holds it": its close ends that. (A
        // Windows sharing violation can't be watched for.)
        if !is_etxtbsy(Os::CURRENT, err) {
            return false;
        }
        let path = match &self.target {
            Target::Path(p) => Some(p.clone()),
            Target::Program(program) => program.resolve(),
        };
        self.watch = path.and_then(|p| Self::watch(&p).ok());
        self.watch.is_some()
    }

    fn wait(&mut self, max: Duration) -> bool {
        match self.watch.as_ref().map(|w| w.wait(max)) {
            Some(Ok(event)) => event,
            // An armed watch that fails to wait (it should not): sleep, so
            // the caller's schedule still holds.
            _ => {
                std::thread::sleep(max);
                false
            }
        }
    }
}

#[cfg(feature = "tokio")]
impl CloseWaker {
    /// [`Wake::wait`] for async code: the watch's descriptor registered
    /// with tokio's reactor for the length of the wait, and a timer, so no
    /// worker is blocked. tokio's timer counts whole milliseconds: the
    /// short waits after a wake-up (50 µs up) last one.
    pub(crate) async fn wait_async(&mut self, max: Duration) -> bool {
        // The future may be dropped during this wait, on any worker: its
        // watch then closes its inotify instance rather than keep it as a
        // spare of that thread (no descriptor left behind).
        if let Some(w) = self.watch.as_mut() {
            w.close_on_drop();
        }
        if let Some(event) = self.wait_on_reactor(max).await {
            return event;
        }
        // No watch, or the reactor refused it: sleep, so the caller's
        // schedule still holds.
        ::tokio::time::sleep(max).await;
        false
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    async fn wait_on_reactor(&mut self, max: Duration) -> Option<bool> {
        use ::tokio::io::Interest;
        use ::tokio::io::unix::AsyncFd;
        /// The watch's descriptor, borrowed: the watch owns and closes it.
        struct Borrowed(std::os::fd::RawFd);
        impl std::os::fd::AsRawFd for Borrowed {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.0
            }
        }
        let watch = self.watch.as_ref()?;
        // SAFETY: the descriptor is the watch's, open for as long as the
        // watch lives, which outlives this AsyncFd (dropped at the end of
        // this function, before `self.watch` can change).
        let fd = unsafe {
            AsyncFd::register_with_interest(Borrowed(watch.raw_fd()), Interest::READABLE)
        }
        .ok()?;
        match ::tokio::time::timeout(max, fd.readable()).await {
            Ok(Ok(mut ready)) => {
                let event = watch.consume().unwrap_or(false);
                ready.clear_ready();
                Some(event)
            }
            Ok(Err(_)) => None,
            Err(_elapsed) => Some(false),
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    async fn wait_on_reactor(&mut self, _max: Duration) -> Option<bool> {
        None
    }
}
