// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::{Child, Command};

pub fn spawn_with_retries(cmd: &mut Command) -> std::io::Result<Child> {
    let mut last_err = None;
    for _ in 0..3 {
        match cmd.spawn() {
            Ok(child) => return Ok(child),
            Err(e) => {
                last_err = Some(e);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
    Err(last_err.unwrap())
}
