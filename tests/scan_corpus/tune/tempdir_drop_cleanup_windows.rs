// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

#[cfg(windows)]
pub fn run_in_scratch(tool: &std::path::Path) -> std::io::Result<bool> {
    let scratch = tempfile::tempdir()?;
    let status = Command::new(tool).current_dir(scratch.path()).status()?;
    Ok(status.success())
}
