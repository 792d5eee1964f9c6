//! Windows scenarios, run under Wine in CI (scripts/windows-test.sh): stubs
//! (`.cmd` and `.exe`), names Windows refuses, and the transient errors that
//! other handles cause (sharing violations, pending deletes), produced on
//! purpose and ridden out by the classifiers. Held handles are let go from a
//! retry hook, never by a timer.
#![cfg(windows)]

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::windows::fs::OpenOptionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::common::entries;
use flakeproof::errno::windows::*;
use flakeproof::fault::FaultPlan;
use flakeproof::{
    Classifier, Op, RetryPolicy, SpawnRetryExt, StubInstaller, classify::Os, install::InstallStep,
    install_executable_stub,
};
use rstest::rstest;

const FILE_SHARE_READ: u32 = 1;
const FILE_SHARE_WRITE: u32 = 2;
const FILE_SHARE_DELETE: u32 = 4;
const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
const FILE_FLAG_DELETE_ON_CLOSE: u32 = 0x0400_0000;
const DELETE: u32 = 0x0001_0000;

/// Open `path` so that nobody can delete or rename it meanwhile (no
/// FILE_SHARE_DELETE), as antivirus scanners and indexers do.
fn hold_without_share_delete(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .open(path)
        .unwrap()
}

/// A policy for `op` whose hook lets go of `held` at the first retry: the
/// first attempt meets the real error, a later one must succeed.
fn released_by_first_retry<T: Send + 'static>(
    op: Op,
    held: T,
) -> (RetryPolicy, Arc<Mutex<Vec<i32>>>) {
    let held = Arc::new(Mutex::new(Some(held)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let policy = RetryPolicy::for_op(op).attempts(1000).on_retry(move |ev| {
        log.lock()
            .unwrap()
            .push(ev.error.raw_os_error().unwrap_or(-1));
        drop(held.lock().unwrap().take());
    });
    (policy, seen)
}

#[test]
fn a_cmd_stub_installs_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let stub =
        install_executable_stub(dir.path(), "tool.cmd", "@echo off\r\necho fake %1\r\n").unwrap();
    let out = Command::new(&stub).arg("status").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "fake status"
    );
    assert_eq!(entries(dir.path()), ["tool.cmd"]);
}

#[test]
fn an_exe_stub_installs_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let body = fs::read(crate::common::stub_helper()).unwrap();
    let stub = install_executable_stub(dir.path(), "tool.exe", &body).unwrap();
    let out = Command::new(&stub)
        .args(["a b", "c", "--exit", "3"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "helper a b c --exit 3"
    );
}

#[rstest]
#[case::nul("NUL")]
#[case::nul_with_extension("NUL.txt")]
#[case::con_any_case("con")]
#[case::com_port("COM1")]
#[case::lpt_with_extension("LPT9.log")]
#[case::less_than("a<b")]
#[case::greater_than("a>b")]
#[case::colon("a:b")]
#[case::quote("a\"b")]
#[case::pipe("a|b")]
#[case::question_mark("a?b")]
#[case::star("a*b")]
#[case::control_character("tab\there")]
#[case::trailing_dot("tool.")]
#[case::trailing_space("tool ")]
#[case::backslash("a\\b")]
fn names_windows_refuses_are_invalid_input_and_touch_nothing(#[case] name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let e = install_executable_stub(dir.path(), name, "x").unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{name:?}: {e}");
    assert_eq!(e.step(), InstallStep::Validate);
    assert!(entries(dir.path()).is_empty(), "{name:?}");
}

#[test]
fn overwrite_while_another_handle_holds_the_destination() {
    let dir = tempfile::tempdir().unwrap();
    let dest = install_executable_stub(dir.path(), "tool.cmd", "@echo old\r\n").unwrap();
    let held = hold_without_share_delete(&dest);
    // The kernel's own refusal first, without any retry.
    let plain = StubInstaller::new()
        .retries(RetryPolicy::for_op(Op::Rename).attempts(1))
        .install(dir.path(), "tool.cmd", "@echo new\r\n")
        .unwrap_err();
    assert_eq!(plain.step(), InstallStep::Rename);
    assert!(
        Classifier::for_op(Op::Rename).on(Os::Windows).is_transient(
            &std::io::Error::from_raw_os_error(plain.raw_os_error().unwrap())
        ),
        "{plain}"
    );
    assert_eq!(
        entries(dir.path()),
        ["tool.cmd"],
        "the failed install left its temp file"
    );
    // Released at the first retry: the install rides it out.
    let (policy, seen) = released_by_first_retry(Op::Rename, held);
    let report = StubInstaller::new()
        .retries(policy)
        .install_with_report(dir.path(), "tool.cmd", "@echo new\r\n")
        .unwrap();
    assert!(report.retries >= 1, "{report:?}");
    assert_eq!(*seen.lock().unwrap(), [plain.raw_os_error().unwrap()]);
    let out = Command::new(&dest).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), "new");
    assert_eq!(entries(dir.path()), ["tool.cmd"]);
}

#[test]
fn a_sharing_violation_on_open_is_transient_and_ridden_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    fs::write(&path, "x").unwrap();
    let exclusive = OpenOptions::new()
        .read(true)
        .share_mode(0)
        .open(&path)
        .unwrap();
    let e = flakeproof::fs::File::open(&path).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(ERROR_SHARING_VIOLATION));
    assert!(
        flakeproof::Classifier::for_op(Op::Open)
            .on(Os::Windows)
            .is_transient(&e)
    );
    let (policy, seen) = released_by_first_retry(Op::Open, exclusive);
    let (f, report) = policy.run_with_report(|| flakeproof::fs::File::open(&path));
    f.unwrap();
    assert_eq!(report.attempts, 2);
    assert_eq!(*seen.lock().unwrap(), [ERROR_SHARING_VIOLATION]);
}

#[test]
fn a_pending_delete_blocks_the_name_until_the_last_handle_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("artifact.o");
    fs::write(&path, "old").unwrap();
    // A reader that allows deletes, and a delete-on-close handle closed
    // while the reader lives: the delete is pending (the classic, non-POSIX
    // delete that lingering database and scanner handles cause), and the
    // name can't be created again until the reader closes.
    let reader = OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        .open(&path)
        .unwrap();
    drop(
        OpenOptions::new()
            .access_mode(DELETE)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
            .open(&path)
            .unwrap(),
    );
    let e = match flakeproof::fs::write(&path, "new") {
        Err(e) => e,
        Ok(()) => {
            // Measured under Wine 8.0: it unlinks when the delete-on-close
            // handle closes, so no delete is ever pending there.
            eprintln!(
                "SKIPPED: this platform frees the name at once (Wine does); no delete was pending"
            );
            return;
        }
    };
    let raw = e.raw_os_error().unwrap();
    assert!(
        [ERROR_ACCESS_DENIED, ERROR_DELETE_PENDING].contains(&raw),
        "{e}"
    );
    assert!(
        Classifier::for_op(Op::OpenWrite)
            .on(Os::Windows)
            .is_transient(&std::io::Error::from_raw_os_error(raw))
    );
    let (policy, seen) = released_by_first_retry(Op::OpenWrite, reader);
    let (r, report) = policy.run_with_report(|| flakeproof::fs::write(&path, "new"));
    r.unwrap();
    assert!(report.attempts >= 2);
    assert_eq!(seen.lock().unwrap()[0], raw);
    assert_eq!(fs::read_to_string(&path).unwrap(), "new");
}

#[test]
fn a_directory_with_an_open_handle_is_transient_to_remove() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let handle = OpenOptions::new()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(&sub)
        .unwrap();
    let e = flakeproof::fs::remove_dir(&sub).unwrap_err();
    eprintln!(
        "remove_dir with an open handle: {e} ({:?})",
        e.raw_os_error()
    );
    assert!(
        flakeproof::Classifier::for_op(Op::RemoveDir)
            .on(Os::Windows)
            .is_transient(&e),
        "{e} ({:?})",
        e.raw_os_error()
    );
    let (policy, _) = released_by_first_retry(Op::RemoveDir, handle);
    let (r, report) = policy.run_with_report(|| flakeproof::fs::remove_dir(&sub));
    r.unwrap();
    assert!(report.attempts >= 2);
    assert!(!sub.exists());
}

#[test]
fn injected_windows_errors_on_windows_paths_match_globs_written_with_slashes() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("a.txt"), dir.path().join("dest.txt"));
    fs::write(&from, "x").unwrap();
    assert!(to.to_string_lossy().contains('\\'));
    let g = FaultPlan::parse("rename(*/dest.txt)=ERROR_SHARING_VIOLATION@1..2")
        .unwrap()
        .activate();
    let first = flakeproof::fs::rename(&from, &to).unwrap_err();
    assert_eq!(first.raw_os_error(), Some(ERROR_SHARING_VIOLATION));
    let (r, report) = RetryPolicy::for_op(Op::Rename)
        .clock(Arc::new(flakeproof::retry::ManualClock::new()))
        .run_with_report(|| flakeproof::fs::rename(&from, &to));
    r.unwrap();
    assert_eq!(report.attempts, 2);
    assert_eq!(g.injected(Op::Rename, "*/dest.txt"), 2);
}

#[test]
fn an_injected_sharing_violation_on_the_installs_rename_is_ridden_out() {
    let dir = tempfile::tempdir().unwrap();
    let g = FaultPlan::parse("rename(*/tool.cmd)=ERROR_SHARING_VIOLATION@1..3")
        .unwrap()
        .activate();
    let report = StubInstaller::new()
        .install_with_report(dir.path(), "tool.cmd", "@echo ok\r\n")
        .unwrap();
    assert_eq!(report.retries, 3);
    assert_eq!(g.injected(Op::Rename, "*"), 3);
    assert_eq!(entries(dir.path()), ["tool.cmd"]);
}

#[test]
fn the_fs_and_process_mirrors_consult_plans_with_windows_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.txt");
    let _g = FaultPlan::parse(
        "write(*/f.txt)=ERROR_DISK_FULL@1; spawn(*stub_helper*)=ERROR_ACCESS_DENIED@1",
    )
    .unwrap()
    .activate();
    let e = flakeproof::fs::write(&p, "x").unwrap_err();
    assert_eq!(e.raw_os_error(), Some(ERROR_DISK_FULL));
    assert_eq!(e.kind(), io::ErrorKind::StorageFull);
    flakeproof::fs::write(&p, "x").unwrap();
    let e = flakeproof::process::Command::new(crate::common::stub_helper())
        .output()
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
    let out = flakeproof::process::Command::new(crate::common::stub_helper())
        .arg("ok")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), "helper ok");
}

#[test]
fn spawning_an_exe_that_another_handle_is_writing_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("tool.exe");
    // flakeproof: allow(in-place-replace) a fresh copy of the helper .exe, on Windows, where no fork can inherit the writer
    fs::copy(crate::common::stub_helper(), &exe).unwrap();
    // A writer that shares nothing, as a linker still writing its output.
    // flakeproof: allow(in-place-replace) a writer held open on purpose, as a linker still writing
    let writer = OpenOptions::new()
        .write(true)
        .share_mode(0)
        .open(&exe)
        .unwrap();
    let e = Command::new(&exe).output().unwrap_err();
    eprintln!(
        "spawn of an exe being written: {e} ({:?})",
        e.raw_os_error()
    );
    assert!(
        flakeproof::Classifier::for_op(Op::Spawn)
            .on(Os::Windows)
            .is_transient(&e),
        "{e} ({:?})",
        e.raw_os_error()
    );
    let (policy, _) = released_by_first_retry(Op::Spawn, writer);
    let (out, report) = Command::new(&exe).arg("ran").output_with(&policy);
    assert_eq!(
        String::from_utf8_lossy(&out.unwrap().stdout).trim_end(),
        "helper ran"
    );
    assert!(report.attempts >= 2);
}

#[test]
fn robust_rename_rides_out_a_held_destination_released_by_its_hook() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("new.bin"), dir.path().join("app.bin"));
    fs::write(&from, "new").unwrap();
    fs::write(&to, "old").unwrap();
    let held = Arc::new(Mutex::new(Some(hold_without_share_delete(&to))));
    let report = flakeproof::robust::Robust::new()
        .on_retry(move |ev| {
            assert!(Classifier::for_op(Op::Rename).on(Os::Windows).is_transient(
                &std::io::Error::from_raw_os_error(ev.error.raw_os_error().unwrap())
            ));
            drop(held.lock().unwrap().take());
        })
        .rename(&from, &to)
        .unwrap();
    assert!(report.attempts >= 2, "{report:?}");
    assert_eq!(fs::read_to_string(&to).unwrap(), "new");
}

#[test]
fn cleanup_at_teardown_warns_instead_of_failing_when_a_file_stays_held() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("scratch");
    fs::create_dir(&scratch).unwrap();
    fs::write(scratch.join("db"), "x").unwrap();
    let held = hold_without_share_delete(&scratch.join("db"));
    let left = flakeproof::robust::Robust::new()
        .clock(Arc::new(flakeproof::retry::ManualClock::new()))
        .cleanup(&scratch)
        .expect("the held file can't be removed");
    assert!(
        flakeproof::Classifier::for_op(Op::RemoveDir)
            .on(Os::Windows)
            .is_transient(&left),
        "{left}"
    );
    drop(held);
    assert!(
        flakeproof::robust::Robust::new()
            .cleanup(&scratch)
            .is_none()
    );
    assert!(!scratch.exists());
}

/// The Windows daemon's crash: FlushFileBuffers through a read-only handle
/// fails with ERROR_ACCESS_DENIED (std's `File::open` then `sync_all`).
/// `robust::Robust::sync` opens the file writable and succeeds.
#[test]
fn sync_opens_a_writable_handle_where_a_read_only_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    fs::write(&db, "data").unwrap();
    let naive = File::open(&db).unwrap().sync_all().unwrap_err();
    assert_eq!(naive.raw_os_error(), Some(ERROR_ACCESS_DENIED), "{naive}");
    flakeproof::robust::Robust::new().sync(&db).unwrap();
}
