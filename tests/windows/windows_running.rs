//! Replacing a `.exe` while it runs, on Windows (under Wine in CI): the OS
//! refuses to replace or delete a running image but lets it be renamed, so
//! the old one is moved aside, the new one renamed in, and the aside copy
//! swept once the program has exited. Wine 8.0 behaves as Windows here:
//! copy onto a running `.exe` fails with ERROR_SHARING_VIOLATION, a rename
//! over it with ERROR_ACCESS_DENIED, and a rename of it succeeds.
//! The held program ends when its stdin closes: no timer decides anything.
#![cfg(windows)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::entries;
use flakeproof::errno::windows::*;
use flakeproof::fault::FaultPlan;
use flakeproof::install::InstallStep;
use flakeproof::replace::{ReplaceStep, Replacer};

/// A build of the helper that differs from `helper()` by a tag appended
/// after its image (a PE ignores trailing bytes), so that replacements can
/// be told apart.
fn build(dir: &Path, tag: &str) -> PathBuf {
    let mut body = fs::read(crate::common::stub_helper()).unwrap();
    body.extend_from_slice(tag.as_bytes());
    let out = dir.join(format!("build-{tag}.exe"));
    fs::write(&out, body).unwrap();
    out
}

/// Run `exe --hold` and return once it runs (it printed its line).
fn run_held(exe: &Path) -> Child {
    let mut child = Command::new(exe)
        .arg("--hold")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim_end(), "helper --hold");
    child
}

/// Close its stdin and wait for it to exit.
fn end(mut child: Child) {
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

fn asides(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.starts_with(".app.exe.") && n.ends_with(".flakeproof-old"))
        .collect()
}

fn runs(exe: &Path) -> bool {
    Command::new(exe)
        .args(["--exit", "7"])
        .status()
        .is_ok_and(|s| s.code() == Some(7))
}

#[test]
fn a_running_exe_is_moved_aside_replaced_and_swept_after_it_exits() {
    let (builds, served) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (v1, v2, v3) = (
        build(builds.path(), "v1"),
        build(builds.path(), "v2"),
        build(builds.path(), "v3"),
    );
    let app = served.path().join("app.exe");
    Replacer::new().replace(&v1, &app).unwrap();
    let running = run_held(&app);

    // What std does here: both refused while it runs.
    // flakeproof: allow(in-place-replace) std's copy over a running .exe, shown refused
    let copy = fs::copy(&v2, &app).unwrap_err();
    assert_eq!(copy.raw_os_error(), Some(ERROR_SHARING_VIOLATION), "{copy}");
    let tmp = builds.path().join("tmp.exe");
    // flakeproof: allow(in-place-replace) std's copy-then-rename, shown refused before Replacer is
    fs::copy(&v2, &tmp).unwrap();
    let rename = fs::rename(&tmp, &app).unwrap_err();
    assert_eq!(rename.raw_os_error(), Some(ERROR_ACCESS_DENIED), "{rename}");

    let report = Replacer::new().replace(&v2, &app).unwrap();
    assert!(report.replaced);
    let aside = report
        .aside
        .clone()
        .expect("the running v1 was moved aside");
    assert_eq!(fs::read(&app).unwrap(), fs::read(&v2).unwrap());
    assert_eq!(fs::read(&aside).unwrap(), fs::read(&v1).unwrap());
    assert_eq!(asides(served.path()).len(), 1);
    assert!(runs(&app));

    // Still running: a replacement now leaves that aside (it can't be
    // removed yet) and moves nothing else aside (v2 doesn't run).
    let again = Replacer::new().replace(&v3, &app).unwrap();
    assert_eq!(again.aside, None);
    assert!(aside.exists());

    end(running);
    let after = Replacer::new().replace(&v1, &app).unwrap();
    assert_eq!(after.aside, None);
    assert_eq!(entries(served.path()), ["app.exe"], "the aside was swept");
    assert_eq!(fs::read(&app).unwrap(), fs::read(&v1).unwrap());
}

#[test]
fn a_failed_rename_in_after_the_move_aside_puts_the_old_program_back() {
    let (builds, served) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (v1, v2) = (build(builds.path(), "v1"), build(builds.path(), "v2"));
    let app = served.path().join("app.exe");
    Replacer::new().replace(&v1, &app).unwrap();
    let running = run_held(&app);
    // Rename calls onto app.exe: 1 the rename in (refused for real: it
    // runs), then, after the move aside, 2 the rename in again: failed.
    let plan = FaultPlan::parse("rename(*app.exe)=ERROR_DISK_FULL@2").unwrap();
    let err = {
        let _g = plan.activate();
        Replacer::new().replace(&v2, &app).unwrap_err()
    };
    assert_eq!(err.step(), ReplaceStep::Install(InstallStep::Rename));
    assert_eq!(err.raw_os_error(), Some(ERROR_DISK_FULL));
    assert_eq!(
        fs::read(&app).unwrap(),
        fs::read(&v1).unwrap(),
        "v1 is back"
    );
    assert!(runs(&app));
    // No temp file left; the aside name of the running v1 may stay.
    assert!(
        entries(served.path())
            .iter()
            .all(|n| n == "app.exe" || n.ends_with(".flakeproof-old")),
        "{:?}",
        entries(served.path())
    );
    end(running);
    Replacer::new().replace(&v2, &app).unwrap();
    assert_eq!(entries(served.path()), ["app.exe"]);
}

#[test]
fn a_replacer_killed_between_the_two_renames_is_repaired_by_the_next_sweep() {
    let (builds, served) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (v1, v2) = (build(builds.path(), "v1"), build(builds.path(), "v2"));
    let app = served.path().join("app.exe");
    Replacer::new().replace(&v1, &app).unwrap();
    // The state a replacer killed after moving app.exe aside leaves: no
    // app.exe, the aside copy, and its temp file (which nobody but its
    // owner, or a sweep under the lock, may remove).
    let aside = served
        .path()
        .join(".app.exe.00000000deadbeef.flakeproof-old");
    fs::rename(&app, &aside).unwrap();
    let tmp = served
        .path()
        .join(".app.exe.00000000cafef00d.flakeproof-tmp");
    fs::write(&tmp, "someone's work in progress").unwrap();
    // The next replacement fails at its own rename: the sweep before it
    // has put v1 back all the same. Calls onto app.exe gated as renames:
    // 1 the sweep's put-back (a hard link), 2 the rename in: failed.
    let plan = FaultPlan::parse("rename(*app.exe)=ERROR_DISK_FULL@2").unwrap();
    let err = {
        let _g = plan.activate();
        Replacer::new().replace(&v2, &app).unwrap_err()
    };
    assert_eq!(err.raw_os_error(), Some(ERROR_DISK_FULL));
    assert_eq!(fs::read(&app).unwrap(), fs::read(&v1).unwrap());
    assert!(!aside.exists());
    assert!(
        tmp.exists(),
        "another replacer's temp file is never swept without the lock"
    );
    assert!(runs(&app));
}
