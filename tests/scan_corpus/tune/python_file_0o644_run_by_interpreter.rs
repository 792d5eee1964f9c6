// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::process::Command;

#[test]
fn runs_generated_python() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gen.py");
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o644).open(&p).unwrap();
    f.write_all(b"print(1 + 1)\n").unwrap();
    drop(f);
    let out = Command::new("python3").arg(&p).output().unwrap();
    assert_eq!(out.stdout, b"2\n");
}
