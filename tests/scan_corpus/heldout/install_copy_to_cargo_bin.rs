// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/uutils/coreutils/issues/8261
use std::path::Path;

pub fn install_bins(built: &[&Path], bin_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(bin_dir)?;
    for src in built {
        let dst = bin_dir.join(src.file_name().unwrap());
        std::fs::copy(src, &dst)?;
        println!("  Installed {}", dst.display());
    }
    Ok(())
}
