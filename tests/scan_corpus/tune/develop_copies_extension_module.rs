// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/PyO3/maturin
use std::path::Path;

pub fn install_extension(artifact: &Path, site_packages: &Path, module: &str) -> std::io::Result<()> {
    let ext = if cfg!(windows) { "pyd" } else { "so" };
    let target = site_packages.join(module).join(format!("_native.{ext}"));
    std::fs::create_dir_all(target.parent().unwrap())?;
    std::fs::copy(artifact, &target)?;
    Ok(())
}
