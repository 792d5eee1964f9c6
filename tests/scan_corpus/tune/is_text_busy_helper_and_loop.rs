// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::{Child, Command};
use std::time::Duration;

const SPAWN_ATTEMPTS: usize = 4;
const BACKOFF_MS: u64 = 15;

pub fn spawn_plugin(cmd: &mut Command) -> std::io::Result<Child> {
    for attempt in 0..SPAWN_ATTEMPTS {
        match cmd.spawn() {
            Ok(child) => return Ok(child),
            Err(error) if is_executable_file_busy(&error) && attempt + 1 < SPAWN_ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(BACKOFF_MS * (attempt as u64 + 1)));
            }
            Err(error) => return Err(error),
        }
    }
    unreachable!("spawn loop returns after the final attempt")
}

#[cfg(unix)]
fn is_executable_file_busy(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(libc::ETXTBSY)
}

#[cfg(not(unix))]
fn is_executable_file_busy(_error: &std::io::Error) -> bool {
    false
}
