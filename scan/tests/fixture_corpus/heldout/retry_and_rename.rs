// Fixture for the scorer's own test, hand-written: not the real corpus.
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> std::io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => std::thread::sleep(std::time::Duration::from_millis(5)),
            other => break other,
        }
    }
}

// Labelled, but this file never says it is built for Windows: a miss.
fn publish(a: &std::path::Path, b: &std::path::Path) -> std::io::Result<()> {
    std::fs::rename(a, b)
}

fn deploy(build: &std::path::Path, served: &std::path::Path) {
    // Found, but deliberately left out of the labels: a false positive.
    std::fs::copy(build, served).unwrap();
    Command::new(served).status().unwrap();
}
