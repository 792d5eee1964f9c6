// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/DioxusLabs/dioxus/issues/5275
use std::path::PathBuf;

pub struct Served {
    pub root: PathBuf,
}

impl Served {
    pub fn publish(&self, wasm: &[u8]) -> std::io::Result<()> {
        let served = self.root.join("pkg").join("app_bg.wasm");
        std::fs::write(&served, wasm)?;
        Ok(())
    }
}
