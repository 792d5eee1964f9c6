// Source: https://github.com/FuelLabs/fuelup/blob/05648159d8fd908579534ecab545a463324f4d4b/src/ops/fuelup_self.rs
// Commit: 05648159d8fd908579534ecab545a463324f4d4b
// Licence of the source: Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use anyhow::{bail, Result};
use std::fs;

pub fn self_update() -> Result<()> {
    let fuelup_bin = crate::path::fuelup_bin();
    let fuelup_new_dir = tempfile::tempdir()?;
    let fuelup_backup = fuelup_new_dir.path().join("fuelup-backup");
    let fuelup_new = fuelup_new_dir.path().join("fuelup");
    crate::download::download_and_unpack(fuelup_new_dir.path())?;

    if fuelup_bin.exists() {
        fs::copy(&fuelup_bin, &fuelup_backup)?;
        // Unlink the original, since we cannot write over a running executable.
        fs::remove_file(&fuelup_bin)?;
    }
    if let Err(e) = fs::copy(&fuelup_new, &fuelup_bin) {
        fs::copy(&fuelup_backup, &fuelup_bin)?;
        bail!("old fuelup restored: {}", e);
    }
    let _ = fs::remove_file(&fuelup_backup);
    Ok(())
}
