// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/Kuberwastaken/claurst/pull/325
use anyhow::{bail, Context, Result};
use std::path::Path;

#[cfg(target_os = "windows")]
fn swap_binary(current: &Path, new: &Path) -> Result<()> {
    let mut sidelined = current.to_path_buf();
    sidelined.set_extension("exe.old");
    if sidelined.exists() {
        std::fs::remove_file(&sidelined).context("remove previous old exe")?;
    }
    std::fs::rename(current, &sidelined)
        .with_context(|| format!("failed to sideline current exe to {}", sidelined.display()))?;
    if let Err(e) = std::fs::copy(new, current) {
        let _ = std::fs::rename(&sidelined, current);
        bail!("failed to install new binary: {}", e);
    }
    Ok(())
}
