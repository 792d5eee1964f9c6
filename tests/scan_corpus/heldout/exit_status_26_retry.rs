// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

/// The tool exits 26 when its lock is held by another instance.
const EXIT_LOCKED: i32 = 26;

pub fn sync_repo(dir: &std::path::Path) -> std::io::Result<bool> {
    for _ in 0..5 {
        let status = Command::new("repo-sync").current_dir(dir).status()?;
        if status.code() == Some(EXIT_LOCKED) {
            std::thread::sleep(std::time::Duration::from_millis(500));
            continue;
        }
        return Ok(status.success());
    }
    Ok(false)
}
