// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

#[test]
fn reads_user_email_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("gitconfig");
    std::fs::write(&cfg, "[user]\n\temail = a@example.com\n").unwrap();
    let out = Command::new("git")
        .args(["config", "--file"])
        .arg(&cfg)
        .arg("user.email")
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"a@example.com\n");
}
