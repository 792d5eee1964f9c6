// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/denoland/deno/blob/4cf30abf0360bd6a286f330ffb4fed04304a062e/cli/tools/upgrade.rs
use std::path::Path;

#[cfg(windows)]
pub fn remove_previous_exe(current_exe: &Path) -> std::io::Result<()> {
    let old = current_exe.with_extension("old.exe");
    if old.exists() {
        std::fs::remove_file(&old)?;
    }
    Ok(())
}
