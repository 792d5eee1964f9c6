// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::{Child, Command};
use std::time::Duration;

fn spawn_retry_on_busy(cmd: &mut Command) -> std::io::Result<Child> {
    const ATTEMPTS: u32 = 5;
    let mut delay = Duration::from_millis(10);
    let mut outcome = cmd.spawn();
    for _ in 1..ATTEMPTS {
        match &outcome {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {}
            _ => return outcome,
        }
        std::thread::sleep(delay);
        delay *= 2;
        outcome = cmd.spawn();
    }
    outcome
}

pub fn run_filter(script: &std::path::Path) -> std::io::Result<std::process::Output> {
    let mut cmd = Command::new(script);
    cmd.stdout(std::process::Stdio::piped());
    spawn_retry_on_busy(&mut cmd)?.wait_with_output()
}
