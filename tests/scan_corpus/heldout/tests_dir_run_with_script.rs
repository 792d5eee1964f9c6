// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/wild-linker/wild/issues/104
// (this file stands for tests/integration_tests.rs)
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn write_run_with(build_dir: &Path, linker: &str) -> PathBuf {
    let path = build_dir.join("run-with");
    let script = format!("#!/bin/bash\nexec \"$@\" -fuse-ld={linker}\n");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn build_program(build_dir: &Path, linker: &str, src: &Path) -> std::process::Output {
    let run_with = write_run_with(build_dir, linker);
    Command::new(&run_with).arg("cc").arg(src).output().unwrap()
}
