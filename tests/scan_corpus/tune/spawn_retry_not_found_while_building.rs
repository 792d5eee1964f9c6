// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/DioxusLabs/dioxus/issues/5275
use std::io::ErrorKind;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub fn start_when_built(exe: &std::path::Path) -> std::io::Result<Child> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match Command::new(exe).spawn() {
            Err(e) if e.kind() == ErrorKind::NotFound && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}
