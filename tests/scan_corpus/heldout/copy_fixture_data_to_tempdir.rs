// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

#[test]
fn formats_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.rs");
    std::fs::copy("tests/fixtures/unformatted.rs", &input).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_fmt")).arg(&input).status().unwrap();
    assert!(status.success());
}
