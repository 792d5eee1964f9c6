// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

const SCRIPT: &str = "#!/bin/bash\necho \"$0\"\n";

#[test]
fn inline_script_runs() {
    let out = Command::new("bash").arg("-c").arg(SCRIPT).arg("name").output().unwrap();
    assert_eq!(out.stdout, b"name\n");
}
