// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

#[test]
fn commands_file_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cmds = dir.path().join("cmds");
    std::fs::write(&cmds, "set -e\necho one\necho two\n").unwrap();
    let out = Command::new("sh").arg(&cmds).output().unwrap();
    assert_eq!(out.stdout, b"one\ntwo\n");
}
