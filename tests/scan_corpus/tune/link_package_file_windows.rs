// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/prefix-dev/pixi
use std::path::Path;

pub fn link_file(src: &Path, dst: &Path) -> std::io::Result<()> {
    if cfg!(windows) && dst.exists() {
        std::fs::remove_file(dst)?;
    }
    std::fs::hard_link(src, dst).or_else(|_| std::fs::copy(src, dst).map(|_| ()))
}
