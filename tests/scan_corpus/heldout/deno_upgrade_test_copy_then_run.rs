// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/denoland/deno/issues/24759
use std::process::Command;

#[test]
fn upgrade_invalid_lockfile() {
    let temp_dir = tempfile::tempdir().unwrap();
    let exe_path = temp_dir.path().join("deno");
    std::fs::copy(env!("CARGO_BIN_EXE_deno"), &exe_path).unwrap();
    let output = Command::new(&exe_path)
        .arg("upgrade")
        .arg("--version")
        .arg("1.46.0")
        .output()
        .unwrap();
    assert!(output.status.success());
}
