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
        let reactor = match self.watch.as_ref() {
            Some(w) => w.wait_async(max).await,
            None => None,
        };
        if let Some(event) = reactor {
            return event;
        }
        // No watch, or the reactor refused it: sleep, so the caller's
        // schedule still holds.
        ::tokio::time::sleep(max).await;
        false
    }
}
