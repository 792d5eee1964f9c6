// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/astral-sh/uv/issues/9531
use std::path::Path;

#[cfg(windows)]
pub fn finish_install(extracted: &Path, install_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(install_dir.parent().unwrap())?;
    std::fs::rename(extracted, install_dir)?;
    Ok(())
}
