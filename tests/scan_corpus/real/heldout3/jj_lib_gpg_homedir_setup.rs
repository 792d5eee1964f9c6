// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `jj-lib` 0.46.0
// (https://static.crates.io/crates/jj-lib/jj-lib-0.46.0.crate), file `tests/test_gpg.rs` (a test file).
// Licence: Apache-2.0 (see ../licences/jj-lib-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
struct GpgEnvironment {
    homedir: tempfile::TempDir,
}

impl GpgEnvironment {
    fn new() -> Result<Self, std::process::Output> {
        let dir = tempfile::Builder::new()
            .prefix("gpg-test-")
            .tempdir()
            .unwrap();

        let path = dir.path();

        #[cfg(unix)]
        std::fs::set_permissions(path, Permissions::from_mode(0o700)).unwrap();

        let mut gpg = std::process::Command::new("gpg")
            .arg("--homedir")
            .arg(path)
            .arg("--import")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();

        gpg.stdin
            .as_mut()
            .unwrap()
            .write_all(GPG_PRIVATE_KEY.as_bytes())
            .unwrap();

        gpg.stdin.as_mut().unwrap().flush().unwrap();

        let res = gpg.wait_with_output().unwrap();

        if !res.status.success() {
            eprintln!("Failed to add private key to gpg-agent. Make sure it is running!");
            eprintln!("{}", String::from_utf8_lossy(&res.stderr));
            return Err(res);
        }

        Ok(Self { homedir: dir })
    }
}

struct GpgsmEnvironment {
    homedir: tempfile::TempDir,
}

impl GpgsmEnvironment {
    fn new() -> Result<Self, std::process::Output> {
        let dir = tempfile::Builder::new()
            .prefix("gpgsm-test-")
            .tempdir()
            .unwrap();

        let path = dir.path();

        #[cfg(unix)]
        std::fs::set_permissions(path, Permissions::from_mode(0o700)).unwrap();

        std::fs::write(
            path.join("trustlist.txt"),
            format!("{GPGSM_FINGERPRINT} S\n"),
        )
        .unwrap();

        let mut gpgsm = std::process::Command::new("gpgsm")
            .arg("--homedir")
            .arg(path)
            .arg("--batch")
            .arg("--pinentry-mode")
            .arg("loopback")
            .arg("--import")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();

        gpgsm
            .stdin
            .as_mut()
            .unwrap()
            .write_all(GPGSM_PRIVATE_KEY.as_bytes())
            .unwrap();

        gpgsm.stdin.as_mut().unwrap().flush().unwrap();

        let res = gpgsm.wait_with_output().unwrap();

        if !res.status.success() && res.status.code() != Some(2) {
            eprintln!("Failed to add certificate.");
            eprintln!("{}", String::from_utf8_lossy(&res.stderr));
            return Err(res);
        }

        Ok(Self { homedir: dir })
    }
}
