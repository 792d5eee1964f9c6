// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::path::Path;

#[cfg(windows)]
pub fn reset_extract_dir(dir: &Path) -> std::io::Result<()> {
    flakeproof::fs::remove_dir_all(dir)?;
    std::fs::create_dir_all(dir)
}
