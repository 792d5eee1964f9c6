// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/Kuberwastaken/claurst/pull/325
use anyhow::Result;
use std::path::Path;

fn swap_binary(current: &Path, new: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        // The kernel lets us replace a running binary.
        std::fs::copy(new, current)?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = (current, new);
        anyhow::bail!("unsupported")
    }
}

pub fn run_upgrade(new_binary: &Path) -> Result<()> {
    let exe_path = std::env::current_exe()?;
    swap_binary(&exe_path, new_binary)
}
