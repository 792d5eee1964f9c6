// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `kache` 2.0.0
// (https://static.crates.io/crates/kache/kache-2.0.0.crate), file `src/probe/mod.rs`.
// Licence: Apache-2.0 (see ../licences/kache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;

    fn create_mock_probe_script(
        dir: &std::path::Path,
        name: &str,
        body: &str,
    ) -> std::path::PathBuf {
        #[cfg(unix)]
        {
            let path = dir.join(name);
            kache_fs::testutil::write_executable(&path, format!("#!/bin/sh\n{body}\n"));
            path
        }
        #[cfg(windows)]
        {
            let path = dir.join(format!("{name}.bat"));
            std::fs::write(&path, format!("@echo off\r\n{body}\r\n")).unwrap();
            path
        }
    }

    /// `probe_compiler_family` with a brief retry (kunobi-ninja/kache#673):
    /// tests spawn a script written moments ago, and a concurrent test's
    /// fork can still hold the script's write fd open at exec time
    /// (ETXTBSY). Spawn failures are deliberately not negative-cached, so a
    /// retry re-probes. Only for call sites that EXPECT a family — a genuine
    /// misparse still fails after the retries.
    fn probe_family_retrying(program: &str) -> Option<ProbedFamily> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        for _ in 0..10 {
            if let Some(family) = probe_compiler_family(program) {
                return Some(family);
            }
            // Retry brief exec failures, without repeating a timed-out probe.
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        probe_compiler_family(program)
    }

    #[test]
    fn family_probe_executes_scripts_and_parses_outputs() {
        let temp = TempDir::new().unwrap();
        let _guard = set_test_cache_dir(temp.path());

        // 1. Script emitting GNU marker
        let gnu_script = create_mock_probe_script(temp.path(), "mock_gnu", "echo KACHE_PROBE_GNU");
        let gnu_str = gnu_script.to_str().unwrap();
        assert_eq!(probe_family_retrying(gnu_str), Some(ProbedFamily::Gnu));
        assert_eq!(probe_compiler_family(gnu_str), Some(ProbedFamily::Gnu));

        // 2. Script emitting Clang marker
        let clang_script =
            create_mock_probe_script(temp.path(), "mock_clang", "echo KACHE_PROBE_CLANG");
        let clang_str = clang_script.to_str().unwrap();
        assert_eq!(probe_family_retrying(clang_str), Some(ProbedFamily::Clang));
        assert_eq!(probe_compiler_family(clang_str), Some(ProbedFamily::Clang));

        // 3. Script emitting BOTH markers (ambiguous)
        let both_script = create_mock_probe_script(
            temp.path(),
            "mock_both",
            if cfg!(windows) {
                "echo KACHE_PROBE_CLANG\r\necho KACHE_PROBE_GNU"
            } else {
                "echo KACHE_PROBE_CLANG\necho KACHE_PROBE_GNU"
            },
        );
        let both_str = both_script.to_str().unwrap();
        assert_eq!(probe_compiler_family(both_str), None);

        // 4. Script emitting NEITHER marker
        let unk_script = create_mock_probe_script(temp.path(), "mock_unk", "echo UNKNOWN_COMPILER");
        let unk_str = unk_script.to_str().unwrap();
        assert_eq!(probe_compiler_family(unk_str), None);

        // 5. Script exiting with non-zero status
        let fail_script = create_mock_probe_script(
            temp.path(),
            "mock_fail",
            if cfg!(windows) { "exit /b 1" } else { "exit 1" },
        );
        let fail_str = fail_script.to_str().unwrap();
        assert_eq!(probe_compiler_family(fail_str), None);
    }

    #[test]
    fn run_family_probe_handles_large_output() {
        let temp = TempDir::new().unwrap();
        // Emit more than the old 8 KiB read limit before the family marker so
        // the regression is deterministic: `run_family_probe` must drain the
        // pipe and scan the whole bounded output. Its own timeout already
        // bounds hangs without relying on CI wall-clock scheduling.
        let large_body = if cfg!(windows) {
            "for /L %%i in (1,1,200) do echo 01234567890123456789012345678901234567890123456789\r\necho KACHE_PROBE_GNU"
        } else {
            "yes '0123456789012345678901234567890123456789' | head -n 300\necho KACHE_PROBE_GNU"
        };
        let script = create_mock_probe_script(temp.path(), "mock_large", large_body);
        // Brief retry on the transient spawn-failure Err (ETXTBSY, #673);
        // a wrong Ok value fails immediately.
        let mut res = run_family_probe(script.to_str().unwrap());
        for _ in 0..10 {
            if res.is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            res = run_family_probe(script.to_str().unwrap());
        }
        assert_eq!(res, Ok(Some(ProbedFamily::Gnu)));
    }
}
