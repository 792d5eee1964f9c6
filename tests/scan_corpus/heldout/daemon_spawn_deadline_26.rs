// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn daemon_refreshes_sources() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ctx"));
    command.args(["daemon", "run", "--force"]).stdout(Stdio::null());
    let spawn_deadline = Instant::now() + Duration::from_secs(1);
    let mut child = loop {
        match command.spawn() {
            Ok(child) => break child,
            Err(error) if error.raw_os_error() == Some(26) && Instant::now() < spawn_deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(error) => panic!("start daemon: {error}"),
        }
    };
    child.kill().unwrap();
}
