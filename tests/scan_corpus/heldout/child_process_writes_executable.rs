// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/golang/go/issues/22315
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn stub_written_by_child() {
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("stub");
    let mut writer = Command::new("sh")
        .arg("-c")
        .arg("cat > \"$1\" && chmod 755 \"$1\"")
        .arg("sh")
        .arg(&stub)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writer.stdin.take().unwrap().write_all(b"exit 0\n").unwrap();
    assert!(writer.wait().unwrap().success());
    assert!(Command::new(&stub).status().unwrap().success());
}
