// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/DioxusLabs/dioxus/issues/5275
use std::path::Path;

#[cfg(target_os = "macos")]
pub fn swap_bundle(new_app: &Path, installed: &Path) -> std::io::Result<()> {
    let old = installed.with_extension("app.old");
    std::fs::rename(installed, &old)?;
    std::fs::rename(new_app, installed)?;
    Ok(())
}
