//! Code under test: a little library that asks `git` things, the way many
//! tools do (it finds `git` on `PATH`).

use std::ffi::OsStr;
use std::io::{self, Write};
use std::process::{Command, Stdio};

/// The checked-out branch: `git rev-parse --abbrev-ref HEAD`.
pub fn current_branch(path_env: &OsStr) -> io::Result<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--abbrev-ref", "HEAD"])
        .env("PATH", path_env)
        .output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!("git: {}", out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Commits with `message`, passing it on stdin (`git commit -F -`), as
/// tools do for messages too long for an argument.
pub fn commit(path_env: &OsStr, message: &[u8]) -> io::Result<bool> {
    let mut child = Command::new("git")
        .args(["commit", "-F", "-"])
        .env("PATH", path_env)
        .stdin(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let message = message.to_vec();
    let feed = std::thread::spawn(move || stdin.write_all(&message));
    let status = child.wait()?;
    feed.join().expect("feeder")?;
    Ok(status.success())
}

/// Runs `git` with these arguments through `sh -c`, as build scripts and
/// Makefiles do.
#[cfg(unix)]
pub fn git_via_shell(path_env: &OsStr, args: &[&OsStr]) -> io::Result<bool> {
    Ok(Command::new("sh")
        .args(["-c", "git \"$@\"", "sh"])
        .args(args)
        .env("PATH", path_env)
        .status()?
        .success())
}
