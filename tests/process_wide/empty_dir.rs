//! An empty `dir` means the current directory, and the returned path must
//! not be a bare name: `Command::new("hello")` searches PATH and would run a
//! real `hello` instead of the stub. The current directory is process-wide:
//! the test holds `crate::common::process_wide()` and puts the old one back, even
//! when it fails, before the next process-wide test runs.
// Unix only: its stubs are #!/bin/sh scripts (Windows: ".\\name").
#![cfg(unix)]

use std::process::Command;

use flakeproof::install_executable_stub;

#[test]
fn an_empty_dir_installs_in_the_current_dir_and_returns_dot_slash_name() {
    let _alone = crate::common::process_wide();
    /// Puts the process's current directory back, panic or not.
    struct Back(std::path::PathBuf);
    impl Drop for Back {
        fn drop(&mut self) {
            let _ = std::env::set_current_dir(&self.0);
        }
    }
    let _back = Back(std::env::current_dir().unwrap());
    let here = tempfile::tempdir().unwrap();
    std::env::set_current_dir(here.path()).unwrap();
    // A decoy named like the stub, first on the command's PATH.
    let decoy_dir = tempfile::tempdir().unwrap();
    install_executable_stub(decoy_dir.path(), "hello", "#!/bin/sh\necho decoy\n").unwrap();

    let stub = install_executable_stub("", "hello", "#!/bin/sh\necho stub\n").unwrap();
    assert_eq!(stub, std::path::Path::new("./hello"));
    let out = Command::new(&stub)
        .env("PATH", decoy_dir.path())
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"stub\n");
    assert!(here.path().join("hello").is_file());
}
