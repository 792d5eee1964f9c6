// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/FuelLabs/fuelup/issues/96
use anyhow::{bail, Result};
use std::fs;

pub fn self_update() -> Result<()> {
    let fuelup_bin = crate::path::fuelup_bin();
    let fuelup_new_dir = tempfile::tempdir()?;
    let fuelup_new = fuelup_new_dir.path().join("fuelup");
    crate::download::download_and_unpack(fuelup_new_dir.path())?;

    if let Err(e) = fs::copy(&fuelup_new, &fuelup_bin) {
        bail!("fuelup failed to update itself: {}", e);
    }
    Ok(())
}
