// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/helix-editor/helix
use std::path::Path;
use std::process::Command;

pub fn build_grammar(src_dir: &Path, lib_path: &Path) -> anyhow::Result<()> {
    #[cfg(windows)]
    if lib_path.exists() {
        std::fs::remove_file(lib_path)?;
    }
    let status = Command::new("cc")
        .arg("-shared")
        .arg(src_dir.join("parser.c"))
        .arg("-o")
        .arg(lib_path)
        .status()?;
    anyhow::ensure!(status.success(), "cc failed");
    Ok(())
}
