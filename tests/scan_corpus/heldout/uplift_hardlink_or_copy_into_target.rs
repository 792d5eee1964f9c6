// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/50962
use std::fs;
use std::path::Path;

pub fn link_target(src: &Path, target_dir: &Path, name: &str) -> std::io::Result<()> {
    let dst = target_dir.join("debug").join(name);
    if fs::hard_link(src, &dst).is_err() {
        fs::copy(src, &dst)?;
    }
    Ok(())
}
