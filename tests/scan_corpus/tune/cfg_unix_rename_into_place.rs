// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::path::Path;

#[cfg(unix)]
pub fn publish(tmp: &Path, dst: &Path) -> std::io::Result<()> {
    std::fs::rename(tmp, dst)?;
    std::fs::File::open(dst.parent().unwrap())?.sync_all()
}
