// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/cargo/pull/5557
use std::path::Path;

#[cfg(unix)]
pub fn uplift(src: &Path, dst: &Path) -> std::io::Result<()> {
    let staged = dst.with_extension("staged");
    std::fs::hard_link(src, &staged).or_else(|_| std::fs::copy(src, &staged).map(|_| ()))?;
    std::fs::rename(&staged, dst)
}
