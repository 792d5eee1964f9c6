// Fixture for the scorer's own test, hand-written: not the real corpus.
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn runs_a_fake_tool() {
    let dir = tempfile::tempdir().unwrap();
    let tool = dir.path().join("tool");
    std::fs::write(&tool, "#!/bin/sh\necho ok\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(Command::new(&tool).status().unwrap().success());
}
