// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/golang/go/blob/master/src/runtime/retry.go
use std::process::{Child, Command};
use std::time::Duration;

pub fn spawn_retry_eagain(cmd: &mut Command) -> std::io::Result<Child> {
    for tries in 0..20u64 {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                std::thread::sleep(Duration::from_millis(tries + 1));
            }
            other => return other,
        }
    }
    cmd.spawn()
}
