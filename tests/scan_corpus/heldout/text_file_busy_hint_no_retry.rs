// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rustlings/issues/139
use std::process::Command;

pub fn run_exercise(bin: &std::path::Path) -> Result<String, String> {
    let out = Command::new(bin).output().map_err(|e| {
        let msg = e.to_string();
        if msg.contains("Text file busy") {
            format!("{msg}: is your editor or another watcher still writing the binary?")
        } else {
            msg
        }
    })?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
