// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/Kuberwastaken/claurst/pull/325
use anyhow::{Context, Result};
use std::path::Path;

#[cfg(unix)]
fn swap_binary(current: &Path, new: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let staged = current.with_extension("upgrade-tmp");
    let mut staged_file = std::fs::OpenOptions::new().write(true).create_new(true).open(&staged)?;
    let mut source = std::fs::File::open(new)?;
    std::io::copy(&mut source, &mut staged_file)?;
    staged_file.set_permissions(std::fs::Permissions::from_mode(0o755))?;
    drop(staged_file);
    std::fs::rename(&staged, current).with_context(|| format!("swap into {}", current.display()))?;
    Ok(())
}
