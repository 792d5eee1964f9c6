// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/openai/codex/pull/9919
use std::process::Command;
use std::time::{Duration, Instant};

pub fn run_with_timeout(program: &str, timeout: Duration) -> std::io::Result<Option<i32>> {
    let mut child = Command::new(program).spawn()?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status.code());
        }
        if start.elapsed() > timeout {
            child.kill()?;
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
