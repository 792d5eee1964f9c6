// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `kache` 2.0.0
// (https://static.crates.io/crates/kache/kache-2.0.0.crate), file `src/build_script.rs`.
// Licence: Apache-2.0 (see ../licences/kache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_written_executable_waits_for_a_known_writer_before_running() {
        let _lock = crate::test_support::process_state_test_lock();
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        kache_fs::testutil::write_executable(&script, "#!/bin/sh\nexit 0\n");
        if !read_leases_supported(&script) {
            assert!(!wait_for_no_writers(&script));
            return;
        }

        let mut writer = HeldWriter::new(&script);
        let error = std::process::Command::new(&script).status().unwrap_err();
        assert_eq!(error.raw_os_error(), Some(libc::ETXTBSY));
        let mut observed_busy = false;
        assert!(wait_for_no_writers_with(&script, NO_WRITERS_WAIT, || {
            if !observed_busy {
                observed_busy = true;
                writer.release();
            } else {
                // Another test's child may also have inherited the writer.
                std::thread::sleep(std::time::Duration::from_micros(500));
            }
        }));
        assert!(observed_busy, "success must follow an observed busy lease");
        assert!(
            std::process::Command::new(&script)
                .status()
                .unwrap()
                .success()
        );
        assert!(wait_for_no_writers(&script), "an idle file needs no retry");
    }
}
