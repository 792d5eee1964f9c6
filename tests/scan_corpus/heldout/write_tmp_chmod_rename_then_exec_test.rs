// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/golang/go/issues/22315
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn atomic_looking_install_still_races() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join(".tool.tmp");
    let tool = dir.path().join("tool");
    std::fs::write(&tmp, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::rename(&tmp, &tool).unwrap();
    assert!(Command::new(&tool).status().unwrap().success());
}
