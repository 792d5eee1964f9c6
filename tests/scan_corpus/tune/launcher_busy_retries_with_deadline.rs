// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;
use std::time::{Duration, Instant};

pub fn launch(command: &mut Command, deadline: Instant) -> anyhow::Result<std::process::Child> {
    let mut busy_retries = 0;
    let child = loop {
        match command.spawn() {
            Err(error)
                if error.raw_os_error() == Some(libc::ETXTBSY)
                    && busy_retries < 5
                    && Instant::now() < deadline =>
            {
                busy_retries += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            result => break result,
        }
    }?;
    Ok(child)
}
