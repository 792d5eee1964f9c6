// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/DioxusLabs/dioxus/pull/5278
use std::path::Path;
use std::time::Duration;

pub fn copy_exe_with_retry(src: &Path, main_exe: &Path) -> std::io::Result<()> {
    let mut delay = Duration::from_millis(20);
    let mut attempt = 0;
    loop {
        match std::fs::copy(src, main_exe) {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && attempt < 5 => {
                attempt += 1;
                std::thread::sleep(delay);
                delay *= 2;
            }
            Err(e) => return Err(e),
        }
    }
}
