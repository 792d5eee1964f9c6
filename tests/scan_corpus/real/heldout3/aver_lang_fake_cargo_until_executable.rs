// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `aver-lang` 0.31.0
// (https://static.crates.io/crates/aver-lang/aver-lang-0.31.0.crate), file `src/main/rust_check.rs`.
// Licence: MIT (see ../licences/aver-lang-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
pub(super) fn run(output_dir: &Path) -> Result<(), CargoCheckError> {
    run_with_program(OsStr::new("cargo"), output_dir)
}

fn run_with_program(cargo: &OsStr, output_dir: &Path) -> Result<(), CargoCheckError> {
    let manifest = output_dir.join("Cargo.toml");
    let status = Command::new(cargo)
        .arg("check")
        .arg("--manifest-path")
        .arg(&manifest)
        .status()
        .map_err(|source| CargoCheckError::Spawn {
            manifest: manifest.clone(),
            source,
        })?;

    if status.success() {
        Ok(())
    } else {
        Err(CargoCheckError::Failed { manifest, status })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    use std::fs;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    #[cfg(unix)]
    use std::os::unix::process::ExitStatusExt;

    #[cfg(unix)]
    fn shell_quote(path: &Path) -> String {
        format!("'{}'", path.to_string_lossy().replace('\'', "'\"'\"'"))
    }

    #[cfg(unix)]
    fn fake_cargo(dir: &Path, exit_code: i32) -> (PathBuf, PathBuf) {
        let program = dir.join("cargo");
        let args_log = dir.join("args.log");
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {}\nexit {}\n",
            shell_quote(&args_log),
            exit_code
        );
        fs::write(&program, script).expect("write fake cargo");
        let mut permissions = fs::metadata(&program)
            .expect("stat fake cargo")
            .permissions();
        permissions.set_mode(0o755);
        fs::set_permissions(&program, permissions).expect("make fake cargo executable");
        (program, args_log)
    }

    /// Spawn the fake `cargo` until the kernel lets it run.
    ///
    /// The tests in this module run on threads of one process, and other
    /// tests spawn children of their own. A child forked between this test's
    /// write of the script and that child's exec still holds the script open,
    /// and Linux refuses to exec a file somebody holds open for writing with
    /// `ETXTBSY`. The window is microseconds wide and closes on its own, so a
    /// short retry is the whole remedy; a real `cargo` never sees this because
    /// nobody writes it right before running it.
    fn run_until_executable(cargo: &OsStr, project: &Path) -> Result<(), CargoCheckError> {
        let mut attempts = 0;
        loop {
            match run_with_program(cargo, project) {
                Err(CargoCheckError::Spawn { source, .. })
                    if source.kind() == io::ErrorKind::ExecutableFileBusy && attempts < 50 =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                outcome => return outcome,
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn invokes_cargo_check_with_generated_manifest() {
        let temp = tempfile::tempdir().expect("create temp dir");
        let project = temp.path().join("generated");
        fs::create_dir_all(&project).expect("create generated project");
        let (cargo, args_log) = fake_cargo(temp.path(), 0);

        run_until_executable(cargo.as_os_str(), &project).expect("fake cargo check should pass");

        let args = fs::read_to_string(args_log).expect("read fake cargo args");
        assert_eq!(
            args.lines().collect::<Vec<_>>(),
            vec![
                "check",
                "--manifest-path",
                project.join("Cargo.toml").to_string_lossy().as_ref()
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn failed_cargo_check_preserves_the_status_exit_code() {
        let status = ExitStatus::from_raw(37 << 8);
        let error = CargoCheckError::Failed {
            manifest: PathBuf::from("/tmp/generated/Cargo.toml"),
            status,
        };

        assert_eq!(error.exit_code(), 37);
    }

    #[test]
    fn spawn_failure_uses_nonzero_exit_code() {
        let temp = tempfile::tempdir().expect("create temp dir");
        let missing = temp.path().join("definitely-not-cargo");

        let error = run_with_program(missing.as_os_str(), temp.path())
            .expect_err("missing cargo program should fail");

        assert_eq!(error.exit_code(), 1);
        assert!(error.to_string().contains("could not start"));
    }
}
