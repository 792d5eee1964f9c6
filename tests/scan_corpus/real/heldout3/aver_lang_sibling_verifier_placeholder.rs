// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `aver-lang` 0.31.0
// (https://static.crates.io/crates/aver-lang/aver-lang-0.31.0.crate), file `src/main/cert_delegate.rs`.
// Licence: MIT (see ../licences/aver-lang-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
fn verifier_command(
    current_exe: Option<&Path>,
    forwarded: impl IntoIterator<Item = OsString>,
) -> Command {
    let mut command = Command::new(verifier_program(current_exe));
    command.args(forwarded);
    command
}

fn verifier_program(current_exe: Option<&Path>) -> PathBuf {
    let sibling = current_exe
        .and_then(Path::parent)
        .map(|parent| parent.join(format!("aver-cert{}", std::env::consts::EXE_SUFFIX)));
    sibling
        .filter(|candidate| is_executable_file(candidate))
        .unwrap_or_else(|| PathBuf::from(format!("aver-cert{}", std::env::consts::EXE_SUFFIX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sibling_verifier_wins_over_path_and_arguments_stay_unparsed() {
        let dir = tempfile::tempdir().unwrap();
        let current_exe = dir
            .path()
            .join(format!("aver{}", std::env::consts::EXE_SUFFIX));
        let sibling = dir
            .path()
            .join(format!("aver-cert{}", std::env::consts::EXE_SUFFIX));
        std::fs::write(&sibling, b"test verifier placeholder").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&sibling, std::fs::Permissions::from_mode(0o755)).unwrap();
        }

        let raw = vec![
            OsString::from("verify"),
            OsString::from("--future-verifier-flag"),
            OsString::from("artifact.wasm"),
        ];
        let command = verifier_command(Some(&current_exe), raw.clone());

        assert_eq!(command.get_program(), sibling.as_os_str());
        assert_eq!(
            command.get_args().collect::<Vec<_>>(),
            raw.iter().collect::<Vec<_>>()
        );
    }

    #[test]
    fn path_is_used_when_no_sibling_is_installed() {
        let dir = tempfile::tempdir().unwrap();
        let current_exe = dir
            .path()
            .join(format!("aver{}", std::env::consts::EXE_SUFFIX));
        let command = verifier_command(Some(&current_exe), [OsString::from("--help")]);

        assert_eq!(
            command.get_program(),
            OsStr::new(&format!("aver-cert{}", std::env::consts::EXE_SUFFIX))
        );
    }

    #[cfg(unix)]
    #[test]
    fn child_exit_code_is_preserved() {
        let status = Command::new("sh")
            .args(["-c", "exit 37"])
            .status()
            .expect("test child starts");

        assert_eq!(exit_code(status), 37);
    }
}
