// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

pub fn run_tool(path: &std::path::Path) -> std::io::Result<std::process::Output> {
    let mut cmd = Command::new(path);
    cmd.arg("--version");
    flakeproof::process::output_retrying(&mut cmd)
}
