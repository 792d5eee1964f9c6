// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
// (this file stands for tests/common/mod.rs)
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fake_compiler(dir: &Path, version: &str) -> PathBuf {
    let p = dir.join("rustc");
    std::fs::write(&p, format!("#!/bin/sh\necho 'rustc {version}'\n")).unwrap();
    let mut perms = std::fs::metadata(&p).unwrap().permissions();
    perms.set_mode(0o755);
    std::fs::set_permissions(&p, perms).unwrap();
    let out = Command::new(&p).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(version));
    p
}
