// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

#[tokio::test]
async fn hook_runs_with_env() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("hook.sh");
    {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o755)
            .open(&script)
            .unwrap();
        f.write_all(b"#!/bin/sh\nprintf '%s' \"$HOOK_ENV\"\n").unwrap();
    }
    let out = tokio::process::Command::new(&script)
        .env("HOOK_ENV", "x")
        .output()
        .await
        .unwrap();
    assert_eq!(out.stdout, b"x");
}
