// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::Command;

const ETXTBSY_RETRIES: u32 = 10;

pub fn output_tolerating_etxtbsy(cmd: &mut Command) -> std::io::Result<std::process::Output> {
    let mut attempt = 0;
    loop {
        match cmd.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                assert!(attempt < ETXTBSY_RETRIES, "still busy after {attempt} tries");
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(10 << attempt.min(5)));
            }
            other => return other,
        }
    }
}
