// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/FuelLabs/fuelup/issues/96
use std::path::Path;

pub fn backup_current(backup_dir: &Path) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    std::fs::create_dir_all(backup_dir)?;
    std::fs::copy(&exe, backup_dir.join("previous-version.bak"))?;
    Ok(())
}
