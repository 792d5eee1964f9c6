// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rclone/rclone/blob/master/backend/local/remove_windows.go
use std::path::Path;
use std::time::Duration;

const ERROR_SHARING_VIOLATION: i32 = 32;

#[cfg(windows)]
pub fn remove(name: &Path) -> std::io::Result<()> {
    let mut sleep_time = Duration::from_millis(1);
    let mut last = None;
    for _ in 0..10 {
        match std::fs::remove_file(name) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION) => {
                last = Some(e);
                std::thread::sleep(sleep_time);
                sleep_time *= 2;
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap())
}
