//! An independent oracle for the retry path: strace injects the kernel's own
//! EBUSY into the first three rename syscalls of a child process that renames
//! with flakeproof's retrying policy; it must succeed on the fourth call and
//! say so. strace counts per traced thread, and the child renames from one.
// Linux only: strace.
#![cfg(target_os = "linux")]

use std::io;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use flakeproof::{Classifier, RetryPolicy, fs, retry::Backoff};

const CHILD_ENV: &str = "FLAKEPROOF_STRACE_ORACLE_DIR";

/// This binary's arguments that run the oracle's child alone.
const ORACLE_CHILD_ARGS: [&str; 5] = [
    "--ignored",
    "--exact",
    "strace_oracle::oracle_child_renames_with_retry",
    "--nocapture",
    "--test-threads=1",
];

/// The program under strace: run only by the oracle (`--ignored --exact`).
#[test]
#[ignore = "run by retrying_rename_survives_kernel_injected_ebusy under strace"]
fn oracle_child_renames_with_retry() {
    let dir = std::env::var(CHILD_ENV).expect("run by the oracle test");
    let dir = Path::new(&dir);
    let busy = Classifier::new(|e: &io::Error| e.kind() == io::ErrorKind::ResourceBusy);
    let policy = RetryPolicy::new(busy)
        .attempts(10)
        .backoff(Backoff::constant(Duration::from_millis(1)));
    let (result, report) = policy.run_with_report(|| fs::rename(dir.join("from"), dir.join("to")));
    println!(
        "oracle: result={result:?} attempts={} stop={:?}",
        report.attempts, report.stop
    );
}

fn ptrace_works() -> Result<(), String> {
    match Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .output()
    {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err("strace is not installed".into()),
        Err(e) => Err(format!("strace could not run: {e}")),
        Ok(out) if !out.status.success() => Err(format!(
            "ptrace is not permitted here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Ok(_) => Ok(()),
    }
}

/// Can strace trace here? If not, say so and skip; where CI requires it
/// (FLAKEPROOF_REQUIRE=strace), not running the oracle is a failure.
fn strace_usable() -> bool {
    match ptrace_works() {
        Ok(()) => true,
        Err(why) => {
            crate::common::skip("strace", &why);
            false
        }
    }
}

#[test]
fn retrying_rename_survives_kernel_injected_ebusy() {
    if !strace_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("from"), "payload").unwrap();
    let out = Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null"])
        .arg("-e")
        .arg("inject=rename,renameat,renameat2:error=EBUSY:when=1..3")
        .arg(std::env::current_exe().unwrap())
        .args(ORACLE_CHILD_ARGS)
        .env(CHILD_ENV, dir.path())
        .env_remove("FLAKEPROOF_FAULTS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // libtest prints "test <name> ... " before the child's own output.
    let at = stdout
        .find("oracle: ")
        .unwrap_or_else(|| panic!("{stdout}"));
    let line = stdout[at..].lines().next().unwrap();
    assert_eq!(line, "oracle: result=Ok(()) attempts=4 stop=Succeeded");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("to")).unwrap(),
        "payload"
    );
    assert!(!dir.path().join("from").exists());
}

#[test]
fn the_oracle_really_injects_without_a_retry_the_rename_fails() {
    if !strace_usable() {
        return;
    }
    // The same injection against `mv` (no retry): the kernel's EBUSY surfaces.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("from"), "x").unwrap();
    let out = Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e"])
        .arg("inject=rename,renameat,renameat2:error=EBUSY:when=1..3")
        .arg("mv")
        .arg(dir.path().join("from"))
        .arg(dir.path().join("to"))
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Device or resource busy"));
}

#[test]
fn a_plan_attached_to_the_same_child_gives_what_strace_gives() {
    // The oracle's child again, now with the fault from a flakeproof plan
    // enforced by seccomp instead of strace: the child must see the same
    // three EBUSYs and say the same line, and the plan's record must count
    // what the kernel-level injector counted.
    use flakeproof::{Op, fault::FaultPlan, process::Command as FpCommand};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("from"), "payload").unwrap();
    let guard = FaultPlan::parse("rename=EBUSY@1..3").unwrap().activate();
    let mut child = FpCommand::new(std::env::current_exe().unwrap());
    child
        .args(ORACLE_CHILD_ARGS)
        .env(CHILD_ENV, dir.path())
        .env_remove("FLAKEPROOF_FAULTS");
    let child = match child.faults(&guard) {
        Ok(c) => c,
        Err(e) => return crate::common::skip("seccomp", &e.to_string()),
    };
    let out = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let at = stdout
        .find("oracle: ")
        .unwrap_or_else(|| panic!("{stdout}"));
    let line = stdout[at..].lines().next().unwrap();
    assert_eq!(line, "oracle: result=Ok(()) attempts=4 stop=Succeeded");
    assert_eq!(
        (
            guard.attempts(Op::Rename, "*"),
            guard.injected(Op::Rename, "*")
        ),
        (4, 3)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("to")).unwrap(),
        "payload"
    );
}
