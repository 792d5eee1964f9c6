// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `kache` 2.0.0
// (https://static.crates.io/crates/kache/kache-2.0.0.crate), file `src/target_processes_tests.rs`.
// Licence: Apache-2.0 (see ../licences/kache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use super::*;


/// A native system program started directly, without a Cargo or Kache lease.
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub(crate) struct RunningProgram(std::process::Child);

#[cfg(any(target_os = "linux", target_os = "macos"))]
impl RunningProgram {
    pub(crate) fn start(target: &Path) -> Self {
        std::fs::create_dir_all(target).unwrap();
        // Coreutils can dispatch by executable name in multicall builds.
        let executable = target.join("sleep");
        let sleep = option_env!("KACHE_TEST_SLEEP").unwrap_or("/bin/sleep");
        // A child writes the executable so another test thread cannot fork
        // with its writable descriptor and make the next exec fail (ETXTBSY).
        let copied = std::process::Command::new(Path::new(sleep).with_file_name("cp"))
            .arg(sleep)
            .arg(&executable)
            .status()
            .expect("start the packaged executable copier");
        assert!(
            copied.success(),
            "copying the process fixture failed: {copied}"
        );
        let program = Self(
            std::process::Command::new(&executable)
                .arg("60")
                .spawn()
                .unwrap(),
        );
        let executable = executable.canonicalize().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let paths = scan(deadline).expect("process table must be readable for this test");
            if paths.contains(&executable) {
                return program;
            }
            assert!(
                Instant::now() < deadline,
                "child did not exec its target binary"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
