// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/astral-sh/uv/pull/9543
use std::io::ErrorKind;
use std::path::Path;

#[cfg(unix)]
pub fn rename_busy_retry(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut delay = std::time::Duration::from_millis(5);
    for _ in 0..6 {
        match std::fs::rename(from, to) {
            Err(e) if e.kind() == ErrorKind::ResourceBusy => {
                std::thread::sleep(delay);
                delay *= 2;
            }
            other => return other,
        }
    }
    std::fs::rename(from, to)
}
