// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/tauri-apps/tauri
use std::path::Path;

#[cfg(windows)]
pub fn prepare_msi_output(output_dir: &Path) -> anyhow::Result<()> {
    if output_dir.exists() {
        std::fs::remove_dir_all(output_dir)?;
    }
    std::fs::create_dir_all(output_dir)?;
    Ok(())
}
