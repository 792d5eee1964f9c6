// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `kache` 2.0.0
// (https://static.crates.io/crates/kache/kache-2.0.0.crate), file `src/build_intent.rs`.
// Licence: Apache-2.0 (see ../licences/kache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;

    /// A `cargo` stand-in: a shell script, so these run on Unix only. The
    /// budget and backoff decisions they exercise are covered on every host
    /// by the pure-function tests.
    #[cfg(unix)]
    fn fake_cargo(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("fake-cargo");
        std::fs::write(
            &path,
            format!("#!/bin/sh\n[ -n \"$KACHE_FAKE_CARGO_WARMUP\" ] && exit 0\n{body}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Run it once before a test times it. A child another test thread
        // forks while the file is open for writing keeps that descriptor
        // until it execs, and Linux refuses to execute a file open for
        // writing (ETXTBSY); macOS makes the first exec of a new file slow.
        // After one run succeeds, neither can touch the timed runs.
        for _ in 0..500 {
            match std::process::Command::new(&path)
                .env("KACHE_FAKE_CARGO_WARMUP", "1")
                .status()
            {
                Ok(status) => {
                    assert!(status.success(), "fake cargo warm-up: {status}");
                    return path;
                }
                Err(error) if error.raw_os_error() == Some(libc::ETXTBSY) => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(error) => panic!("fake cargo warm-up: {error}"),
            }
        }
        panic!("fake cargo stayed busy");
    }
}
