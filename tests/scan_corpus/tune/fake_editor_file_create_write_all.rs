// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/flox/flox/pull/996
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn writes_output_to_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("container-builder");
    let mut file = File::create(&path).unwrap();
    file.write_all(b"#!/usr/bin/env bash\necho '{\"ok\":true}'\n").unwrap();
    let mut perms = file.metadata().unwrap().permissions();
    perms.set_mode(0o755);
    file.set_permissions(perms).unwrap();
    drop(file);

    let output = Command::new(&path).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "{\"ok\":true}");
}
