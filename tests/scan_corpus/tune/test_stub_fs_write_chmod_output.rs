// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/RyderFreeman4Logos/cli-sub-agent/issues/1297
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn pre_existing_dirty_plus_session_add() {
    let dir = tempfile::tempdir().unwrap();
    let hook = dir.path().join("post-add");
    std::fs::write(&hook, "#!/bin/sh\necho added >> \"$1\"\n").unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(&hook).arg(dir.path().join("log")).output().unwrap();
    assert!(out.status.success());
}
