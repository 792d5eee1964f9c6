// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

#[test]
fn script_sees_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("args.sh");
    std::fs::write(&script, "#!/bin/sh\necho \"$#\"\n").unwrap();
    let out = Command::new("sh").arg(&script).arg("a").arg("b").output().unwrap();
    assert_eq!(out.stdout, b"2\n");
}
