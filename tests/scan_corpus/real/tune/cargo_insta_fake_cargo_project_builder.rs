// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-insta` 1.49.0
// (https://static.crates.io/crates/cargo-insta/cargo-insta-1.49.0.crate), file `tests/functional/test_runner_fallback.rs` (a test file).
// Licence: Apache-2.0 (see ../licences/cargo-insta-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use super::*;

/// Test that test_runner_fallback config file setting enables fallback
/// when nextest is unavailable.
///
/// This test creates a fake cargo wrapper that pretends nextest is not installed,
/// then verifies that the config file's `test_runner_fallback: true` causes
/// cargo-insta to fall back to `cargo test`.
#[test]
#[cfg(unix)]
fn test_runner_fallback_config_file() {
    use std::os::unix::fs::PermissionsExt;
    use std::process::Stdio;

    let test_project = TestFiles::new()
        .add_cargo_toml("test_runner_fallback_config")
        .add_file(
            "insta.yaml",
            r#"
test:
  runner: nextest
  runner_fallback: true
"#
            .to_string(),
        )
        .add_file(
            "src/lib.rs",
            r#"
#[test]
fn test_snapshot() {
    insta::assert_snapshot!("value", @"value");
}
"#
            .to_string(),
        )
        .add_file(
            "fake_cargo.sh",
            r#"#!/bin/bash
if [ "$1" = "nextest" ]; then
    echo "error: no such command: nextest" >&2
    exit 1
fi
exec cargo "$@"
"#
            .to_string(),
        )
        .create_project();

    // Make the fake cargo executable and get path
    let fake_cargo_path = test_project.workspace_dir.join("fake_cargo.sh");
    std::fs::set_permissions(&fake_cargo_path, std::fs::Permissions::from_mode(0o755)).unwrap();

    // Run with fake cargo - should fall back to cargo test because config says so
    let output = test_project
        .insta_cmd()
        .args(["test"])
        .env("CARGO", &fake_cargo_path)
        .stderr(Stdio::piped())
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "Test should succeed with config file test_runner_fallback: true\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
