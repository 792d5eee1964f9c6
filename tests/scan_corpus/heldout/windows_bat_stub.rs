// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
#[cfg(windows)]
#[test]
fn bat_stub_runs() {
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("tool.bat");
    std::fs::write(&stub, "@echo off\r\necho ok\r\n").unwrap();
    let out = std::process::Command::new(&stub).output().unwrap();
    assert!(out.status.success());
}
