//! The spawn helpers against the kernel's own ETXTBSY: another process holds
//! the stub open for writing for ~100 ms.
// Linux only: the kernel's own ETXTBSY, from a shell holding the stub open.
#![cfg(target_os = "linux")]

use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};

use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::{
    Op, RetryPolicy, SpawnRetryExt, install_executable_stub,
    retry::{Backoff, Stop},
};

/// A shell that opens `path` for writing, says "ready", and holds it until
/// its stdin closes.
struct Holder(Child);

impl Holder {
    fn hold(path: &Path) -> Holder {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("exec 3>>\"$0\"; echo ready; read _")
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "ready\n");
        Holder(child)
    }

    /// A spawn policy whose hook lets the holder go after the first failed
    /// attempt: the first attempt must fail (the hold is certain), a later
    /// one must succeed, whatever the timing. No timer races the scheduler.
    fn released_by_the_first_retry(&mut self) -> RetryPolicy {
        let stdin: Arc<Mutex<Option<ChildStdin>>> = Arc::new(Mutex::new(self.0.stdin.take()));
        RetryPolicy::for_op(Op::Spawn)
            .attempts(1000)
            .on_retry(move |ev| {
                assert_eq!(ev.error.raw_os_error(), Some(libc::ETXTBSY));
                drop(stdin.lock().unwrap().take());
            })
    }

    /// A policy that lets the holder go before its first wait (the hook of
    /// the second failed attempt: the first is followed by an immediate
    /// retry once the program is watched) and then can only notice the
    /// release quickly through the kernel's close event: its schedule waits
    /// `wait` between attempts. With a 2 s schedule, a run that reports a
    /// wake-up was ended by the event, not by a timer.
    fn released_then_waited(&mut self, wait: Duration) -> RetryPolicy {
        let stdin = Mutex::new(self.0.stdin.take());
        RetryPolicy::for_op(Op::Spawn)
            .attempts(1000)
            .backoff(Backoff::constant(wait))
            .on_retry(move |ev| {
                assert_eq!(ev.error.raw_os_error(), Some(libc::ETXTBSY));
                if ev.attempt == 2 {
                    drop(stdin.lock().unwrap().take());
                }
            })
    }

    fn join(mut self) {
        self.0.wait().unwrap();
    }
}

fn stub(dir: &Path, body: &str) -> std::path::PathBuf {
    install_executable_stub(dir, "stub", format!("#!/bin/sh\n{body}\n")).unwrap()
}

/// The window is real: a plain spawn fails with the kernel's ETXTBSY.
fn assert_plain_spawn_is_busy(path: &Path) {
    let e = Command::new(path)
        .spawn()
        .expect_err("the stub is held open for writing");
    assert_eq!(e.raw_os_error(), Some(libc::ETXTBSY));
    assert_eq!(e.kind(), io::ErrorKind::ExecutableFileBusy);
}

#[test]
fn output_with_rides_out_a_real_etxtbsy() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "echo ran");
    let mut holder = Holder::hold(&path);
    assert_plain_spawn_is_busy(&path); // while the hold is certain
    let policy = holder.released_by_the_first_retry();
    let (out, report) = Command::new(&path).output_with(&policy);
    assert_eq!(out.unwrap().stdout, b"ran\n");
    assert!(report.attempts >= 2, "{report:?}");
    holder.join();
}

#[test]
fn status_with_rides_out_a_real_etxtbsy() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 3");
    let mut holder = Holder::hold(&path);
    assert_plain_spawn_is_busy(&path);
    let policy = holder.released_by_the_first_retry();
    let (status, report) = Command::new(&path).status_with(&policy);
    assert_eq!(status.unwrap().code(), Some(3));
    assert!(report.attempts >= 2, "{report:?}");
    holder.join();
}

#[test]
fn spawn_with_rides_out_a_real_etxtbsy() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "cat");
    let mut holder = Holder::hold(&path);
    assert_plain_spawn_is_busy(&path);
    let policy = holder.released_by_the_first_retry();
    let (child, report) = Command::new(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn_with(&policy);
    let mut child = child.unwrap();
    child.stdin.take().unwrap().write_all(b"echo").unwrap();
    assert_eq!(child.wait_with_output().unwrap().stdout, b"echo");
    assert!(report.attempts >= 2, "{report:?}");
    holder.join();
}

#[test]
fn spawn_with_reports_the_retries_it_took() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 0");
    let mut holder = Holder::hold(&path);
    // Released from the policy's own hook after the third failed attempt: the
    // first three must fail, a later one must succeed, whatever the timing.
    let stdin = Arc::new(Mutex::new(holder.0.stdin.take()));
    let release = stdin.clone();
    let policy = RetryPolicy::for_op(Op::Spawn)
        .attempts(1000)
        .on_retry(move |ev| {
            assert_eq!(ev.error.raw_os_error(), Some(libc::ETXTBSY));
            if ev.attempt == 3 {
                drop(release.lock().unwrap().take());
            }
        });
    let (child, report) = Command::new(&path).spawn_with(&policy);
    assert!(child.unwrap().wait().unwrap().success());
    assert_eq!(report.stop, Stop::Succeeded);
    assert!(report.attempts >= 4, "{report:?}");
    assert!(stdin.lock().unwrap().is_none(), "released by the hook");
    holder.0.wait().unwrap();
}

#[test]
fn a_child_that_ran_is_never_run_again() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    // The stub counts its runs and fails: a failing exit is a result, not a
    // reason to retry.
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let runs = dir.path().join("runs");
    let path = stub(
        dir.path(),
        &format!("echo x >> '{}'; exit 1", runs.display()),
    );
    let mut holder = Holder::hold(&path);
    let policy = holder.released_by_the_first_retry();
    let (status, report) = Command::new(&path).status_with(&policy);
    assert_eq!(status.unwrap().code(), Some(1));
    assert!(report.attempts >= 2, "{report:?}");
    let out = Command::new(&path).output_retrying().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "x\nx\n");
    holder.join();
}

#[test]
fn errors_other_than_etxtbsy_are_not_retried() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let e = Command::new(dir.path().join("missing"))
        .output_retrying()
        .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    let policy = RetryPolicy::for_op(Op::Spawn);
    let (r, report) = Command::new(dir.path().join("missing")).spawn_with(&policy);
    assert_eq!(r.unwrap_err().kind(), io::ErrorKind::NotFound);
    assert_eq!((report.attempts, report.stop), (1, Stop::Permanent));
}

/// The writer's close ends the wait: the schedule waits 2 s between
/// attempts, so a success with a wake-up can only have come from the
/// kernel's IN_CLOSE_WRITE (sent when the holding shell exits). If the
/// event were lost, the run would still succeed after 2 s, with `woken`
/// 0, and fail here.
#[test]
fn the_writers_close_ends_the_wait_not_the_schedule() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 0");
    let mut holder = Holder::hold(&path);
    assert_plain_spawn_is_busy(&path);
    let policy = holder.released_then_waited(Duration::from_secs(2));
    let (status, report) = Command::new(&path).status_with(&policy);
    assert!(status.unwrap().success());
    assert!(report.woken >= 1 && report.attempts >= 2, "{report:?}");
    holder.join();
}

/// A bare program name is watched where the command's own `PATH` finds it
/// (not ours): otherwise no watch, no event, `woken` 0.
#[test]
fn a_program_found_through_the_commands_path_is_the_one_watched() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 0");
    let mut holder = Holder::hold(&path);
    let policy = holder.released_then_waited(Duration::from_secs(2));
    let (status, report) = Command::new("stub")
        .env("PATH", dir.path())
        .status_with(&policy);
    assert!(status.unwrap().success());
    assert!(report.woken >= 1, "{report:?}");
    holder.join();
}

/// A file of that name without an execute bit earlier in `PATH` is
/// skipped, by the spawn (execvp's EACCES) and by the watch alike: the one
/// watched is the one run. Watching the first would see no close, and the
/// wait would end by the 2 s schedule with `woken` 0.
#[test]
fn a_non_executable_namesake_earlier_in_path_is_not_the_one_watched() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 0");
    let decoy_dir = dir.path().join("decoy");
    std::fs::create_dir(&decoy_dir).unwrap();
    let decoy = decoy_dir.join("stub");
    // flakeproof: allow(shell-script-stub) a non-executable decoy earlier on PATH, never run; FakeDir would make it executable
    std::fs::write(&decoy, "#!/bin/sh\nexit 9\n").unwrap();
    std::fs::set_permissions(&decoy, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut holder = Holder::hold(&path);
    let policy = holder.released_then_waited(Duration::from_secs(2));
    let search = std::env::join_paths([&decoy_dir, &dir.path().to_owned()]).unwrap();
    let (status, report) = Command::new("stub")
        .env("PATH", search)
        .status_with(&policy);
    assert_eq!(status.unwrap().code(), Some(0), "the real stub ran");
    assert!(report.woken >= 1, "{report:?}");
    holder.join();
}

/// Where the program can't be watched, the schedule is slept, and the
/// spawn still succeeds: here a plan fails the watch (it consults the plan
/// as a metadata read of the program).
#[test]
fn an_unwatchable_program_falls_back_to_the_schedule() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 0");
    let mut holder = Holder::hold(&path);
    let guard = FaultPlan::parse("metadata(*/stub)=EACCES")
        .unwrap()
        .activate();
    let policy = holder.released_then_waited(Duration::from_millis(1));
    let (status, report) = Command::new(&path).status_with(&policy);
    assert!(status.unwrap().success());
    assert_eq!(report.woken, 0, "{report:?}");
    assert_eq!(guard.injected(Op::Metadata, "*/stub"), 1);
    holder.join();
}

/// inotify needs read permission on the file: a 0o111 program can't be
/// watched by a non-root user (CI runs this as uid 65534 too), who then
/// sleeps the schedule; root can read anything and is woken.
#[test]
fn an_execute_only_program_is_watched_only_by_root() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = stub(dir.path(), "exit 0");
    let mut holder = Holder::hold(&path);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o111)).unwrap();
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let policy = holder.released_then_waited(Duration::from_millis(if root { 2000 } else { 1 }));
    let (status, report) = Command::new(&path).status_with(&policy);
    // Non-root: sh is exec'd but can't read the script, and says so in its
    // exit status; the spawn itself succeeded.
    status.unwrap();
    assert_eq!(report.woken >= 1, root, "{report:?}");
    holder.join();
}
