// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn external_subcommand_gets_args() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("cargo-foo");
    let mut f = std::fs::File::create(&sub).unwrap();
    writeln!(f, "#!/bin/sh").unwrap();
    writeln!(f, "echo \"$@\"").unwrap();
    f.sync_data().unwrap();
    drop(f);
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o775)).unwrap();
    let out = Command::new(&sub).arg("foo").arg("--bar").output().unwrap();
    assert_eq!(out.stdout, b"foo --bar\n");
}
