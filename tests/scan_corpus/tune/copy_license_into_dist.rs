// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::path::Path;

pub fn stage_docs(dist: &Path) -> std::io::Result<()> {
    for f in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        std::fs::copy(f, dist.join(f))?;
    }
    Ok(())
}
