// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dylint` 6.3.2
// (https://static.crates.io/crates/dylint/dylint-6.3.2.crate), file `src/driver_builder.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/dylint-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
use std::{
    env::{consts, home_dir},
    fs::{copy, create_dir_all, rename, write},
    path::{Path, PathBuf},
};
use tempfile::{NamedTempFile, tempdir};

#[allow(clippy::unwrap_used)]
#[cfg(test)]
mod tests {
    use super::*;

    // smoelius: As mentioned above, `tempdir` is a temporary directory. So there should be no race
    // here.
    #[cfg_attr(dylint_lib = "general", allow(non_thread_safe_call_in_test))]
    // smoelius: This test passes on macOS but for the wrong reason. On recent macOS versions (e.g.,
    // Tahoe), if you copy `/bin/sleep` to you local directory and run it, it will be killed, even
    // without `child.kill()`. I haven't yet figured out how best to address this.
    #[cfg(all(not(feature = "__driver_from_crates_io"), not(target_os = "macos")))]
    #[test]
    fn can_install_while_driver_is_running() {
        use std::process::{Command, ExitStatus};

        const WHICH: &str = if cfg!(target_os = "windows") {
            "where"
        } else {
            "which"
        };

        let tempdir = tempdir().unwrap();
        let driver = tempdir.path().join("dylint-driver");

        // Set tmpdir/dylint-driver to `sleep` and call it with `infinity`.
        let stdout = Command::new(WHICH)
            .arg("sleep")
            .logged_output(false)
            .unwrap()
            .stdout;
        let sleep_path = String::from_utf8(stdout).unwrap();
        copy(sleep_path.trim_end(), &driver).unwrap();
        let mut child = Command::new(driver).arg("infinity").spawn().unwrap();

        // Install should not fail with "text file busy".
        build(&opts::Dylint::default(), "nightly", tempdir.path()).unwrap();

        child.kill().unwrap();
        let _: ExitStatus = child.wait().unwrap();
    }
}
