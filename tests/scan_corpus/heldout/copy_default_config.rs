// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::path::Path;

pub fn init_config(config_dir: &Path) -> std::io::Result<()> {
    let dst = config_dir.join("config.toml");
    if !dst.exists() {
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("default-config.toml"), &dst)?;
    }
    Ok(())
}
