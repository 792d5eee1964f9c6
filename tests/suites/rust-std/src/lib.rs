//! Runs hook scripts: the code under test.

use std::io;
use std::path::Path;
use std::process::Command;

/// Runs the hook at `path` through the shell, as a user's hook line would
/// be run, and tells whether it succeeded.
pub fn run_hook(path: &Path) -> io::Result<()> {
    let out = Command::new("sh").arg("-c").arg(path).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::Other,
            format!(
                "hook {} failed ({}): {}",
                path.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ))
    }
}
