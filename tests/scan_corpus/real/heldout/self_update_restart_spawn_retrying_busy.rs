// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `self_update` 1.3.3
// (https://static.crates.io/crates/self_update/self_update-1.3.3.crate), file `tests/restart.rs` (a test file).
// Licence: MIT (see ../licences/self_update-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#![cfg(unix)]

use std::process::Command;

const REPLACED_OUT_ENV: &str = "SU_RESTART_REPLACED_OUT";
const REPLACED_MARKER: &str = "su_restart_replaced_grandchild_marker";
const REPLACED_FORWARDED: [&str; 3] = [
    "restart_replaced_child_entry",
    REPLACED_MARKER,
    "--nocapture",
];

/// Run a private copy of the test binary (so replacing it on disk does not touch the real one),
/// have it replace itself and then `restart_with`, and assert the re-executed process ran with the
/// forwarded args.
#[test]
fn restart_with_reexecs_after_exe_replaced_on_disk() {
    let dir = tempfile::TempDir::new().unwrap();
    let exe = dir.path().join("restart-test-bin");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    let out_path = dir.path().join("forwarded-args.txt");

    let status = spawn_retrying_busy(
        Command::new(&exe)
            .args(["restart_replaced_child_entry", "--exact", "--nocapture"])
            .env(REPLACED_OUT_ENV, &out_path),
    );
    assert!(
        status.success(),
        "spawned restart generation exited unsuccessfully: {status:?}"
    );

    let recorded = std::fs::read_to_string(&out_path)
        .expect("post-exec generation should have written the forwarded args");
    let got: Vec<&str> = recorded.lines().collect();
    assert_eq!(got, REPLACED_FORWARDED);
}

/// Spawn `cmd` and wait for it, retrying on ETXTBSY. A freshly written executable can briefly be
/// "busy" when another test thread forks while the write fd is still open, and inherits it.
fn spawn_retrying_busy(cmd: &mut Command) -> std::process::ExitStatus {
    const ETXTBSY: i32 = 26;
    for _ in 0..50 {
        match cmd.status() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => return other.expect("spawn test binary"),
        }
    }
    panic!("test binary stayed busy (ETXTBSY)");
}
