//! Reading the records the shim leaves in `calls/`: which calls there are,
//! in number order, and where each stands. A record is the start, then the
//! end appended to the same file; the shim holds a lock on it while it
//! runs, so "lock free, no end" means killed.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use super::error::FakeError;
use super::invocation::{Invocation, RunState};
use super::wire::{self, Start};
use crate::fault::exempt;
use crate::sys::fakes as sysf;

/// Every call recorded in `dir` (a fake directory's `calls/`), in call
/// order.
pub(super) fn read(dir: &Path) -> Result<Vec<Invocation>, FakeError> {
    Reader::default().read(dir)
}

/// Reads the records again and again (a wait does), reading each file only
/// until its call has ended: a record whose lock is free and whose end is
/// whole (or that was killed) never changes again.
#[derive(Default)]
pub(super) struct Reader {
    ended: BTreeMap<u64, Invocation>,
}

impl Reader {
    /// Every call recorded in `dir`, in call order.
    pub(super) fn read(&mut self, dir: &Path) -> Result<Vec<Invocation>, FakeError> {
        exempt(|| {
            let mut numbers: Vec<u64> = sysf::names(dir)
                .map_err(|e| {
                    FakeError::new(format!("reading the records in {}", dir.display()), e)
                })?
                .iter()
                .filter_map(|n| wire::call_number(n))
                .collect();
            // By number, not by name: 10 comes after 9.
            numbers.sort_unstable();
            let mut calls = Vec::with_capacity(numbers.len());
            for n in numbers {
                if let Some(call) = self.ended.get(&n) {
                    calls.push(call.clone());
                    continue;
                }
                match read_one(dir, n) {
                    Ok(Some(call)) => {
                        if call.state != RunState::Running {
                            self.ended.insert(n, call.clone());
                        }
                        calls.push(call);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        let path = dir.join(wire::call_file(n));
                        return Err(FakeError::new(
                            format!("reading the record {}", path.display()),
                            e,
                        ));
                    }
                }
            }
            Ok(calls)
        })
    }
}

/// Record `n`, or `None` while it is only a claim.
fn read_one(dir: &Path, n: u64) -> io::Result<Option<Invocation>> {
    let path = dir.join(wire::call_file(n));
    let Some(start) = start_of(&sysf::read(&path)?)? else {
        return Ok(None);
    };
    let live = if start.live.is_empty() {
        path.clone()
    } else {
        dir.join(&start.live)
    };
    // The lock first: once it is free the shim is gone, and what the file
    // holds then is all it will ever hold.
    let running = sysf::is_running(&live)?;
    let mut call = Invocation::new(n, start, RunState::Running);
    if running {
        return Ok(Some(call));
    }
    // Asked before the file is read again, so that a shim that ends
    // between the two is seen ending, not killed.
    let alive = sysf::process_alive(call.pid);
    let bytes = sysf::read(&path)?;
    let (_, rest) = Start::decode_prefix(&bytes)?;
    let (state, stdin_len) = state_once_unlocked(rest, alive);
    call.state = state;
    if let Some(len) = stdin_len {
        call.stdin_len = Some(len);
        call.stdin = sysf::read_if_exists(&dir.join(wire::stdin_file(n)))?;
    }
    Ok(Some(call))
}

/// The start record at the head of a record file; `None` for an empty
/// file: a number claimed by exclusive creation (where hard links fail) and
/// not yet replaced by its record, so not a call yet (or a shim killed
/// within that moment, which left nothing to show). Anything else that
/// doesn't decode is `InvalidData`.
fn start_of(bytes: &[u8]) -> io::Result<Option<Start>> {
    match Start::decode_prefix(bytes) {
        Ok((start, _)) => Ok(Some(start)),
        Err(_) if bytes.is_empty() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Where a call stands once its lock is free, from what follows its start
/// record (`rest`) and whether its process is still alive; with the bytes
/// of stdin it read, when it captured them.
fn state_once_unlocked(rest: &[u8], alive: bool) -> (RunState, Option<u64>) {
    match wire::End::decode(rest) {
        Ok(end) => {
            let state = match end.ending {
                wire::Ending::Exited(c) => RunState::Exited(c),
                wire::Ending::Signaled(s) => RunState::Signaled(s),
            };
            (state, end.stdin_len)
        }
        // No whole end and a free lock: killed, unless the lock lied (flock
        // through some FUSE mounts doesn't exclude, a filesystem may refuse
        // locks) and the process is still there; a partial end record can
        // only be one being written by such a shim.
        Err(_) if alive => (RunState::Running, None),
        Err(_) => (RunState::Killed, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn start(pid: u32) -> Start {
        Start {
            name: "tool".into(),
            argv0: wire::os::to_bytes(OsStr::new("tool")),
            args: vec![wire::os::to_bytes(OsStr::new("x"))],
            cwd: None,
            env: Vec::new(),
            pid,
            taken: None,
            live: String::new(),
        }
    }

    fn end(ending: wire::Ending, stdin_len: Option<u64>) -> Vec<u8> {
        wire::End { ending, stdin_len }.encode()
    }

    #[test]
    fn a_whole_end_record_decides_whatever_the_process() {
        for alive in [true, false] {
            let exited = end(wire::Ending::Exited(3), None);
            assert_eq!(
                state_once_unlocked(&exited, alive),
                (RunState::Exited(3), None)
            );
            let signaled = end(wire::Ending::Signaled(9), Some(12));
            assert_eq!(
                state_once_unlocked(&signaled, alive),
                (RunState::Signaled(9), Some(12))
            );
        }
    }

    #[test]
    fn no_end_or_a_partial_one_is_running_while_the_process_lives_else_killed() {
        let whole = end(wire::Ending::Exited(0), None);
        for rest in [&[][..], &whole[..5], &whole[..whole.len() - 1]] {
            assert_eq!(state_once_unlocked(rest, true), (RunState::Running, None));
            assert_eq!(state_once_unlocked(rest, false), (RunState::Killed, None));
        }
    }

    #[test]
    fn an_empty_record_is_a_claim_and_a_corrupt_one_is_invalid_data() {
        assert!(start_of(&[]).unwrap().is_none());
        let whole = start(1).encode();
        assert_eq!(start_of(&whole).unwrap(), Some(start(1)));
        // A start record is linked in whole: a cut one is corruption, not
        // one being written.
        let err = start_of(&whole[..whole.len() / 2]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let err = start_of(b"FPCALL99 another version").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    /// The files as a Unix shim leaves them: the record is its own lock.
    #[cfg(unix)]
    mod on_disk {
        use super::*;
        use std::fs::File;
        use std::path::PathBuf;

        /// Above any pid_max (Linux's limit is 2^22): no process has it.
        const NO_SUCH_PID: u32 = i32::MAX as u32;

        fn write(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
            let path = dir.join(name);
            std::fs::write(&path, body).unwrap();
            path
        }

        fn record(pid: u32, end_bytes: &[u8]) -> Vec<u8> {
            let mut r = start(pid).encode();
            r.extend_from_slice(end_bytes);
            r
        }

        #[test]
        fn records_are_read_in_number_order_with_claims_and_other_files_skipped() {
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            let done = record(NO_SUCH_PID, &end(wire::Ending::Exited(0), None));
            for n in ["10", "2", "9"] {
                write(d, n, &done);
            }
            write(d, "11", b""); // a claim not yet replaced
            for other in ["hint", "0", "tmp-1-2-3", "2.stdin", "live-1-2"] {
                write(d, other, b"not a record");
            }
            let calls = read(d).unwrap();
            let numbers: Vec<u64> = calls.iter().map(|c| c.number).collect();
            assert_eq!(numbers, [2, 9, 10]);
            assert!(calls.iter().all(|c| c.state == RunState::Exited(0)));
        }

        #[test]
        fn a_held_lock_is_running_and_a_free_one_without_an_end_is_killed() {
            let dir = tempfile::tempdir().unwrap();
            let path = write(dir.path(), "1", &record(NO_SUCH_PID, &[]));
            let holder = File::open(&path).unwrap();
            holder.lock().unwrap();
            assert_eq!(read(dir.path()).unwrap()[0].state, RunState::Running);
            drop(holder);
            assert_eq!(read(dir.path()).unwrap()[0].state, RunState::Killed);
            // Half an end record and a free lock, its process gone: killed too.
            let whole = end(wire::Ending::Exited(0), None);
            write(dir.path(), "1", &record(NO_SUCH_PID, &whole[..9]));
            assert_eq!(read(dir.path()).unwrap()[0].state, RunState::Killed);
            // The same with its process alive: a lock that lied, still running.
            write(dir.path(), "1", &record(std::process::id(), &whole[..9]));
            assert_eq!(read(dir.path()).unwrap()[0].state, RunState::Running);
        }

        #[test]
        fn captured_stdin_is_read_from_its_file_once_the_end_says_so() {
            let dir = tempfile::tempdir().unwrap();
            write(
                dir.path(),
                "1",
                &record(NO_SUCH_PID, &end(wire::Ending::Exited(0), Some(16))),
            );
            write(dir.path(), "1.stdin", b"0123456789");
            let call = &read(dir.path()).unwrap()[0];
            assert_eq!(call.stdin.as_deref(), Some(&b"0123456789"[..]));
            assert_eq!(call.stdin_len, Some(16));
        }

        #[test]
        fn a_reader_reads_a_record_again_only_until_its_call_has_ended() {
            let dir = tempfile::tempdir().unwrap();
            let running = write(dir.path(), "1", &record(NO_SUCH_PID, &[]));
            let holder = File::open(&running).unwrap();
            holder.lock().unwrap();
            write(
                dir.path(),
                "2",
                &record(NO_SUCH_PID, &end(wire::Ending::Exited(2), None)),
            );
            let mut reader = Reader::default();
            let states = |calls: Vec<Invocation>| calls.iter().map(|c| c.state).collect::<Vec<_>>();
            assert_eq!(
                states(reader.read(dir.path()).unwrap()),
                [RunState::Running, RunState::Exited(2)]
            );
            // Call 1 ends; call 2's file is (impossibly) changed: the first is
            // read again, the second is not, since an ended record is final.
            write(
                dir.path(),
                "1",
                &record(NO_SUCH_PID, &end(wire::Ending::Exited(1), None)),
            );
            drop(holder);
            write(dir.path(), "2", b"garbage");
            assert_eq!(
                states(reader.read(dir.path()).unwrap()),
                [RunState::Exited(1), RunState::Exited(2)]
            );
            // A new reader reads every file.
            assert!(Reader::default().read(dir.path()).is_err());
        }

        #[test]
        fn a_corrupt_record_is_an_error_naming_it_and_a_missing_dir_keeps_the_os_error() {
            let dir = tempfile::tempdir().unwrap();
            write(dir.path(), "1", b"garbage, not a start record");
            let err = read(dir.path()).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert!(
                err.to_string()
                    .contains(&*dir.path().join("1").to_string_lossy()),
                "{err}"
            );
            let err = read(&dir.path().join("gone")).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
        }
    }
}
