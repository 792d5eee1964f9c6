// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rustup/issues/1912
use std::path::Path;

pub fn commit_component(unpacked: &Path, toolchain_dir: &Path, component: &str) -> std::io::Result<()> {
    let dest = toolchain_dir.join(component);
    if dest.exists() {
        std::fs::remove_dir_all(&dest)?;
    }
    std::fs::rename(unpacked, &dest)?;
    Ok(())
}
