// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::path::Path;
use std::time::Duration;

const FAKE: &str = env!("CARGO_BIN_EXE_fake-claude");

fn copy_fake(to: &Path) {
    std::fs::copy(FAKE, to).unwrap();
    for _ in 0..100 {
        let run = std::process::Command::new(to).arg("--version").output();
        match run {
            Err(e) if e.raw_os_error() == Some(26) => std::thread::sleep(Duration::from_millis(20)),
            _ => return,
        }
    }
}

#[test]
fn native_install_updates_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let claude = tmp.path().join("claude");
    copy_fake(&claude);
}
