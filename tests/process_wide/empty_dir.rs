//! An empty `dir` means the current directory, and the returned path must
//! not be a bare name: `Command::new("hello")` searches PATH and would run a
//! real `hello` instead of the stub. The current directory is process-wide:
//! this is its own test binary, with one test.
// Unix only: its stubs are #!/bin/sh scripts (Windows: ".\\name").
#![cfg(unix)]

use std::process::Command;

use flakeproof::install_executable_stub;

use crate::common;

#[test]
fn an_empty_dir_installs_in_the_current_dir_and_returns_dot_slash_name() {
    let _alone = common::process_wide();
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
