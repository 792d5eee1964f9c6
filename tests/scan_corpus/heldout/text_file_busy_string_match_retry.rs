// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/wild-linker/wild/issues/104
use anyhow::{Context, Result};
use std::process::Command;

pub fn run_with(program: &std::path::Path, args: &[&str]) -> Result<std::process::Output> {
    let mut last = None;
    for _ in 0..5 {
        match Command::new(program).args(args).output() {
            Ok(out) => return Ok(out),
            Err(e) if e.to_string().contains("Text file busy") => {
                last = Some(e);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e).context("failed to run command"),
        }
    }
    Err(last.unwrap()).context("still busy")
}
