// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::io;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A program written a moment ago can be busy while another thread's child
/// still holds it open between fork and exec.
fn spawn(command: &mut Command) -> io::Result<Child> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match command.spawn() {
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            started => return started,
        }
    }
}

pub fn start_engine(path: &std::path::Path) -> io::Result<Child> {
    spawn(Command::new(path).stdin(std::process::Stdio::piped()))
}
