// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rustup
use retry::{delay::{jitter, Fibonacci}, retry, OperationResult};
use std::io;
use std::path::Path;

pub fn rename(name: &'static str, src: &Path, dest: &Path) -> io::Result<()> {
    retry(Fibonacci::from_millis(1).map(jitter).take(26), || match std::fs::rename(src, dest) {
        Ok(()) => OperationResult::Ok(()),
        Err(e) => match e.kind() {
            io::ErrorKind::PermissionDenied => {
                eprintln!("info: retrying renaming {name} '{}'", src.display());
                OperationResult::Retry(e)
            }
            _ => OperationResult::Err(e),
        },
    })
    .map_err(|e| e.error)
}
