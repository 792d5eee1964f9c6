// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/google/release-utils
// (this file stands for tests/gh_release.rs)
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use tempfile::TempDir;

const WRITE_ARGS_TEMPLATE: &str = r#"#!/bin/sh
echo "${@}" > OUT_PATH
exit EXIT_VAL
"#;

struct Script {
    exe_path: PathBuf,
    output_path: PathBuf,
}

impl Script {
    fn create(tmp_dir: &TempDir, exit_val: u32) -> Self {
        let exe_path = tmp_dir.path().join("gh");
        let output_path = tmp_dir.path().join("args");
        let body = WRITE_ARGS_TEMPLATE
            .replace("OUT_PATH", output_path.to_str().unwrap())
            .replace("EXIT_VAL", &exit_val.to_string());
        fs::write(&exe_path, body).unwrap();
        fs::set_permissions(&exe_path, fs::Permissions::from_mode(0o755)).unwrap();
        Self { exe_path, output_path }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn create_release_passes_args() {
        let tmp = tempfile::tempdir().unwrap();
        let script = super::Script::create(&tmp, 0);
        assert!(script.exe_path.exists());
        let _ = &script.output_path;
    }
}
