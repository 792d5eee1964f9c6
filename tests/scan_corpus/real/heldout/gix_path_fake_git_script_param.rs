// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `gix-path` 0.14.2
// (https://static.crates.io/crates/gix-path/gix-path-0.14.2.crate), file `src/env/git/tests.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/gix-path-LICENSE-MIT, ../licences/gix-path-LICENSE-APACHE).
// excerpt: unrelated items removed; every kept line is verbatim.
mod exe_info {

    #[cfg(unix)]
    fn fake_git(script: &str) -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::PermissionsExt;

        let tempdir = tempfile::tempdir().expect("can create fake Git directory");
        let executable = tempdir.path().join("git");
        std::fs::write(&executable, script).expect("can write fake Git");
        let mut permissions = std::fs::metadata(&executable)
            .expect("fake Git has metadata")
            .permissions();
        permissions.set_mode(0o755);
        std::fs::set_permissions(&executable, permissions).expect("can make fake Git executable");
        (tempdir, executable)
    }

}
