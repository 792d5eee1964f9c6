// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

#[test]
fn stub_runs() {
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("tool");
    flakeproof::install_executable(&stub, b"#!/bin/sh\necho ok\n").unwrap();
    let out = Command::new(&stub).output().unwrap();
    assert_eq!(out.stdout, b"ok\n");
}
