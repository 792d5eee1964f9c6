use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;

const STUB: &str = "#!/bin/sh\nexit 0\n";
const THREADS: usize = 4;
const EACH: usize = 25;

/// A fresh directory for one test, removed when it is dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("stubs-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn write_stub(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    // flakeproof: allow(shell-script-stub) the shield's proof suite: the naive stub the shield must protect, unchanged
    fs::write(&path, STUB).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn stubs_run_in_parallel() {
    let dir = TempDir::new("direct");
    thread::scope(|s| {
        for t in 0..THREADS {
            let dir = &dir.0;
            s.spawn(move || {
                for i in 0..EACH {
                    let path = write_stub(dir, &format!("stub-{t}-{i}"));
                    let status = Command::new(&path)
                        .status()
                        .unwrap_or_else(|e| panic!("run {}: {e}", path.display()));
                    assert!(status.success(), "{}: {status}", path.display());
                }
            });
        }
    });
}

#[test]
fn hooks_run_through_the_shell() {
    let dir = TempDir::new("hooks");
    thread::scope(|s| {
        for t in 0..THREADS {
            let dir = &dir.0;
            s.spawn(move || {
                for i in 0..EACH {
                    let path = write_stub(dir, &format!("hook-{t}-{i}"));
                    stubs::run_hook(&path).unwrap();
                }
            });
        }
    });
}
