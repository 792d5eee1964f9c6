// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `mise` 2026.10.25
// (https://static.crates.io/crates/mise/mise-2026.10.25.crate), file `src/toolset/running.rs`.
// Licence: MIT (see ../licences/mise-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(all(test, any(target_os = "linux", target_os = "macos")))]
mod tests {
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, SystemTime};

    use filetime::FileTime;

    use super::*;

    /// Kills the child when a test ends, including when an assertion fails.
    struct Running(Child);

    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn spawn(cmd: &mut Command) -> Running {
        // Copying an executable and starting it right away can fail with
        // ETXTBSY while another test thread forks with the copy still open.
        for _ in 0..50 {
            match cmd.spawn() {
                Ok(child) => return Running(child),
                Err(err) if err.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(err) => panic!("failed to spawn {cmd:?}: {err}"),
            }
        }
        panic!("{cmd:?} stayed busy");
    }

}
