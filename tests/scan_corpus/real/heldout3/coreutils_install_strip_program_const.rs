// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `coreutils` 0.12.0
// (https://static.crates.io/crates/coreutils/coreutils-0.12.0.crate), file `tests/by-util/test_install.rs` (a test file).
// Licence: MIT (see ../licences/coreutils-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
const STRIP_TARGET_FILE: &str = "helloworld_installed";
const STRIP_PROGRAM: &str = "#!/bin/sh\n: > \"$1\"\n";

#[test]
fn test_install_and_strip() {
    let scene = TestScenario::new(util_name!());
    let at = &scene.fixtures;

    // Write the strip script and sync to disk to avoid ETXTBSY race on some
    // platforms (observed on ARM64 Linux CI runners).
    let strip_path = at.plus("strip");
    {
        use std::io::Write;
        let mut f = fs::File::create(&strip_path).unwrap();
        f.write_all(STRIP_PROGRAM.as_bytes()).unwrap();
        f.sync_all().unwrap();
    }
    at.set_mode("strip", 0o755);
    at.write("source", "file contents");
    let path = format!(
        "{}:{}",
        at.plus(".").display(),
        std::env::var("PATH").unwrap_or_default()
    );

    scene
        .ucmd()
        .env("PATH", path)
        .arg("-s")
        .arg("source")
        .arg(STRIP_TARGET_FILE)
        .succeeds()
        .no_stderr();

    assert_eq!(at.metadata(STRIP_TARGET_FILE).len(), 0);
}

#[test]
fn test_install_and_strip_with_program() {
    let scene = TestScenario::new(util_name!());
    let at = &scene.fixtures;

    // Write the strip script and sync to disk to avoid ETXTBSY race on some
    // platforms (observed on ARM64 Linux CI runners).
    let strip_path = at.plus("strip-program");
    {
        use std::io::Write;
        let mut f = fs::File::create(&strip_path).unwrap();
        f.write_all(STRIP_PROGRAM.as_bytes()).unwrap();
        f.sync_all().unwrap();
    }
    at.set_mode("strip-program", 0o755);
    at.write("source", "file contents");

    scene
        .ucmd()
        .arg("-s")
        .arg("--strip-program")
        .arg("./strip-program")
        .arg("source")
        .arg(STRIP_TARGET_FILE)
        .succeeds()
        .no_stderr();

    assert_eq!(at.metadata(STRIP_TARGET_FILE).len(), 0);
}
