// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `stakpak` 0.3.88
// (https://static.crates.io/crates/stakpak/stakpak-0.3.88.crate), file `src/main.rs`.
// Licence: Apache-2.0 (see ../licences/stakpak-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
fn spawn_background_auto_update_with_exe(executable: &Path, cli: &Cli) -> std::io::Result<()> {
    ProcessCommand::new(executable)
        .args(background_auto_update_args(cli))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn background_auto_update_spawn_runs_update_subcommand_with_background_flag() {
        use std::os::unix::fs::PermissionsExt;
        use std::time::{Duration, Instant};

        let temp_dir = tempfile::TempDir::new().expect("temp dir");
        let fake_stakpak = temp_dir.path().join("stakpak");
        let log_path = temp_dir.path().join("update.log");

        std::fs::write(
            &fake_stakpak,
            format!(
                "#!/bin/sh\nprintf 'args=%s\\n' \"$*\" > '{}'\n",
                log_path.display()
            ),
        )
        .expect("write fake stakpak");
        let mut permissions = std::fs::metadata(&fake_stakpak)
            .expect("fake stakpak metadata")
            .permissions();
        permissions.set_mode(0o755);
        std::fs::set_permissions(&fake_stakpak, permissions).expect("chmod fake stakpak");

        let cli = Cli::try_parse_from(["stakpak"]).expect("parse cli");
        spawn_background_auto_update_with_exe(&fake_stakpak, &cli)
            .expect("spawn background auto update");

        let deadline = Instant::now() + Duration::from_secs(2);
        while !log_path.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }

        let log = std::fs::read_to_string(&log_path).expect("read background update log");
        assert!(log.contains("args=update --background"), "got: {log}");
    }
}
