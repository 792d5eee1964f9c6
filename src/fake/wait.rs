//! Waiting for records ([`FakeDir::wait_for_calls`](super::FakeDir::wait_for_calls),
//! [`wait_for_finished`](super::FakeDir::wait_for_finished)): read `calls/`
//! until enough calls are there, woken by a watch on it where the OS has
//! one (inotify on Linux), polling where it has not.
//!
//! The shim can't tell the test anything but through its files, so the
//! files are the event: a record arrives by a link (or a create and a
//! rename) into `calls/`, and ends with the shim's exit closing it.

use std::path::Path;
use std::time::{Duration, Instant};

use super::error::FakeError;
use super::invocation::Invocation;
use super::records;
use crate::sys::fakes::{self as sysf, RecordWatch};

/// How often the records are read again when no event says to.
#[derive(Clone, Copy, Debug)]
struct Pace {
    /// After an event that did not end the wait, the next look comes this
    /// soon, doubling. The close that ends a record is reported just
    /// before the kernel drops the shim's lock, and a killed shim becomes a
    /// zombie just after: neither makes an event of its own.
    after_event: Duration,
    /// The longest a watched wait goes without a look: a backstop for a
    /// change no event reports, never the usual way a wait ends.
    watched_longest: Duration,
    /// Where nothing can be watched: the first pause, doubling...
    poll_first: Duration,
    /// ...to this.
    poll_longest: Duration,
}

const PACE: Pace = Pace {
    after_event: Duration::from_micros(50),
    watched_longest: Duration::from_millis(100),
    // A short wait stays short; a long one costs a read every 20 ms.
    poll_first: Duration::from_millis(1),
    poll_longest: Duration::from_millis(20),
};

/// Reads the records in `dir` until at least `n` of them `count`, then
/// returns them all. Fails with `TimedOut` after `timeout`, listing what it
/// saw; `what` says what was waited for ("started", "finished").
pub(super) fn until(
    dir: &Path,
    n: usize,
    timeout: Duration,
    what: &str,
    count: impl Fn(&Invocation) -> bool,
) -> Result<Vec<Invocation>, FakeError> {
    until_paced(dir, n, timeout, what, count, PACE)
}

fn until_paced(
    dir: &Path,
    n: usize,
    timeout: Duration,
    what: &str,
    count: impl Fn(&Invocation) -> bool,
    pace: Pace,
) -> Result<Vec<Invocation>, FakeError> {
    let start = Instant::now();
    let mut waker = Waker::new(dir, pace);
    let mut reader = records::Reader::default();
    loop {
        let calls = reader.read(dir)?;
        let seen = calls.iter().filter(|c| count(c)).count();
        if seen >= n {
            return Ok(calls);
        }
        let waited = start.elapsed();
        if waited >= timeout {
            let list: Vec<String> = calls.iter().map(|c| format!("\n  {c}")).collect();
            return Err(FakeError::new(
                format!(
                    "waited {waited:?} for {n} calls to have {what}; {seen} had:{}",
                    list.concat()
                ),
                std::io::Error::from(std::io::ErrorKind::TimedOut),
            ));
        }
        waker.pause(timeout - waited);
    }
}

/// What a wait does between two reads of the records.
struct Waker<'a> {
    dir: &'a Path,
    /// `None` until the first pause; then the watch, or `None` inside
    /// where none can be had (polling).
    watch: Option<Option<RecordWatch>>,
    /// The next pause's longest.
    next: Duration,
    pace: Pace,
}

impl<'a> Waker<'a> {
    fn new(dir: &'a Path, pace: Pace) -> Waker<'a> {
        Waker {
            dir,
            watch: None,
            next: pace.poll_first,
            pace,
        }
    }

    /// Waits until the records may have changed, `left` at most. True if
    /// an event said they did.
    fn pause(&mut self, left: Duration) -> bool {
        if self.watch.is_none() {
            // Set only once a first read has come up short: a wait that is
            // already met costs no watch. Then no pause: a record that
            // arrived between that read and the watch made no event this
            // watch will see, so the caller reads again with it in place.
            let watch = sysf::watch_records(self.dir).ok();
            let watching = watch.is_some();
            self.watch = Some(watch);
            if watching {
                self.next = self.pace.watched_longest;
                return false;
            }
        }
        match &self.watch {
            Some(Some(watch)) => match watch.wait(self.next.min(left)) {
                Ok(true) => {
                    self.next = self.pace.after_event;
                    true
                }
                Ok(false) => {
                    self.next = (self.next * 2).min(self.pace.watched_longest);
                    false
                }
                // A watch that fails to wait (it should not): poll from now on.
                Err(_) => {
                    self.watch = Some(None);
                    self.next = self.pace.poll_first;
                    false
                }
            },
            _ => {
                std::thread::sleep(self.next.min(left));
                self.next = (self.next * 2).min(self.pace.poll_longest);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::invocation::RunState;
    use crate::fake::wire::{self, End, Ending, Start};
    use std::ffi::OsStr;
    use std::io;
    use std::path::PathBuf;

    /// Long enough for any machine: a test that reaches it has failed.
    const LONG: Duration = Duration::from_secs(60);

    /// A record as the shim leaves it once its call has ended (no process
    /// holds its lock, and the end is there).
    fn ended(pid: u32) -> Vec<u8> {
        let mut record = Start {
            name: "tool".into(),
            argv0: wire::os::to_bytes(OsStr::new("tool")),
            args: Vec::new(),
            cwd: None,
            env: Vec::new(),
            pid,
            taken: Some(wire::Taken { rule: 0, step: 0 }),
            live: String::new(),
        }
        .encode();
        record.extend(
            End {
                ending: Ending::Exited(0),
                stdin_len: None,
            }
            .encode(),
        );
        record
    }

    /// Puts record `n` in whole, as the shim does: written under a temp
    /// name, linked in, the temp name removed.
    fn land(dir: &Path, n: u64) {
        let tmp = dir.join(format!("tmp-{n}"));
        std::fs::write(&tmp, ended(1)).unwrap();
        std::fs::hard_link(&tmp, dir.join(wire::call_file(n))).unwrap();
        std::fs::remove_file(&tmp).unwrap();
    }

    fn calls_dir() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        (dir, path)
    }

    #[test]
    fn returns_all_calls_once_n_have_arrived() {
        let (_keep, dir) = calls_dir();
        let writer = {
            let dir = dir.clone();
            std::thread::spawn(move || (1..=3).for_each(|n| land(&dir, n)))
        };
        let calls = until(&dir, 3, LONG, "started", |_| true).unwrap();
        writer.join().unwrap();
        let numbers: Vec<u64> = calls.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
    }

    #[test]
    fn times_out_with_timed_out_listing_what_it_saw() {
        let (_keep, dir) = calls_dir();
        land(&dir, 1);
        // Nothing else will come: the answer does not depend on the timer,
        // only how long it takes does.
        for timeout in [Duration::ZERO, Duration::from_millis(30)] {
            let err = until(&dir, 2, timeout, "started", |_| true).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::TimedOut);
            assert_eq!(err.raw_os_error(), None);
            let msg = err.to_string();
            assert!(
                msg.contains("for 2 calls to have started; 1 had:\n  #1 tool -> exit 0"),
                "{msg}"
            );
        }
        // The count decides, not the number of records.
        let err = until(&dir, 1, Duration::ZERO, "finished", |c| {
            c.state == RunState::Running
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("for 1 calls to have finished; 0 had:"),
            "{err}"
        );
    }

    /// The watch is what ends the wait: with no backstop and no poll, a
    /// wait would run to its 60 s limit and say so (false), unless the
    /// record's arrival woke it.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_record_landing_after_the_watch_is_set_wakes_the_wait() {
        let (_keep, dir) = calls_dir();
        let never = Pace {
            after_event: LONG,
            watched_longest: LONG,
            poll_first: LONG,
            poll_longest: LONG,
        };
        let mut waker = Waker::new(&dir, never);
        assert!(
            !waker.pause(LONG),
            "the first pause sets the watch and returns"
        );
        assert!(matches!(waker.watch, Some(Some(_))), "no watch was set");
        land(&dir, 1);
        assert!(waker.pause(LONG), "the link did not wake the wait");
        // The end of a call: its record closed after the end was appended,
        // by a writer that opened it under a name since removed.
        let tmp = dir.join("tmp-2");
        let mut file = std::fs::File::create(&tmp).unwrap();
        std::fs::hard_link(&tmp, dir.join("2")).unwrap();
        std::fs::remove_file(&tmp).unwrap();
        assert!(waker.pause(LONG), "the link did not wake the wait");
        io::Write::write_all(&mut file, &ended(1)).unwrap();
        drop(file);
        assert!(waker.pause(LONG), "the close did not wake the wait");
    }
}
