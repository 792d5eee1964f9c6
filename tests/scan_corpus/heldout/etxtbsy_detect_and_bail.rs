// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/FuelLabs/fuelup/issues/96
use anyhow::{bail, Result};
use std::process::Command;

pub fn check_exe(path: &std::path::Path) -> Result<()> {
    match Command::new(path).arg("-V").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!("{} -V exited with {}", path.display(), out.status),
        Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
            bail!("{} is still being written by another process; run again", path.display())
        }
        Err(e) => Err(e.into()),
    }
}
