// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn release_calls_git_and_gh() {
    let bin = tempfile::tempdir().unwrap();
    for name in ["git", "gh"] {
        let p = bin.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\necho {name} \"$@\" >> calls\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let status = Command::new(env!("CARGO_BIN_EXE_release"))
        .env("PATH", bin.path())
        .status()
        .unwrap();
    assert!(status.success());
}
