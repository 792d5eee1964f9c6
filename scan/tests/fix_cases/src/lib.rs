//! Three retry loops around a spawn, each in a shape seen in real suites:
//! a test helper that panics on other errors (`output_or_panic`), a
//! function returning the spawn's result after N tries (`spawn_with_retry`),
//! and a loop used as a value (`status_of`).

#[cfg(test)]
mod suggestions;

use std::io;
use std::process::{Child, Command, ExitStatus, Output};
use std::time::Duration;

/// A test helper: retries a few times on ETXTBSY, panics on anything else.
pub fn output_or_panic(command: &mut Command, context: &str) -> Output {
    let mut attempts = 0;
    loop {
        match command.output() {
            Ok(output) => return output,
            Err(error) if error.raw_os_error() == Some(libc::ETXTBSY) && attempts < 7 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(error) => panic!("{context}: {error}"),
        }
    }
}

/// A bounded number of tries, the last error returned.
pub fn spawn_with_retry(cmd: &mut Command) -> io::Result<Child> {
    const MAX_ATTEMPTS: u32 = 5;
    let mut last_err = None;
    for attempt in 0..MAX_ATTEMPTS {
        match cmd.spawn() {
            Ok(child) => return Ok(child),
            Err(e) if e.raw_os_error() == Some(26) && attempt + 1 < MAX_ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(10 * (u64::from(attempt) + 1)));
                last_err = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_err.expect("only reached after a retried error"))
}

/// The loop as a value: `break` carries the result out.
pub fn status_of(cmd: &mut Command) -> io::Result<ExitStatus> {
    let status = loop {
        match cmd.status() {
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            other => break other,
        }
    };
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stub(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
        flakeproof::install_executable_stub(dir, "tool", body).unwrap()
    }

    #[test]
    fn the_helper_returns_the_programs_output() {
        let dir = tempfile_dir();
        let tool = stub(&dir, "#!/bin/sh\necho out\n");
        let out = output_or_panic(&mut Command::new(&tool), "tool");
        assert_eq!(out.stdout, b"out\n");
    }

    #[test]
    #[should_panic(expected = "missing: ")]
    fn the_helper_panics_on_a_missing_program() {
        output_or_panic(&mut Command::new("/nonexistent/tool"), "missing");
    }

    #[test]
    fn spawn_with_retry_starts_the_program_and_reports_a_missing_one() {
        let dir = tempfile_dir();
        let tool = stub(&dir, "#!/bin/sh\nexit 3\n");
        let mut child = spawn_with_retry(&mut Command::new(&tool)).unwrap();
        assert_eq!(child.wait().unwrap().code(), Some(3));
        let e = spawn_with_retry(&mut Command::new("/nonexistent/tool")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn status_of_gives_the_exit_status() {
        let dir = tempfile_dir();
        let tool = stub(&dir, "#!/bin/sh\nexit 4\n");
        assert_eq!(status_of(&mut Command::new(&tool)).unwrap().code(), Some(4));
        assert!(status_of(&mut Command::new("/nonexistent/tool")).is_err());
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let d = std::env::temp_dir().join(format!("fix-cases-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
