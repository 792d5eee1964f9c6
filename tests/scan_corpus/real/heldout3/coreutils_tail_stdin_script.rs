// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `coreutils` 0.12.0
// (https://static.crates.io/crates/coreutils/coreutils-0.12.0.crate), file `tests/by-util/test_tail.rs` (a test file).
// Licence: MIT (see ../licences/coreutils-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[test]
#[cfg(unix)]
fn test_stdin_via_script_redirection_and_pipe() {
    // $ touch file.txt
    // $ echo line1 > file.txt
    // $ echo line2 >> file.txt
    // $ chmod +x test.sh
    // $ ./test.sh < file.txt
    // line1
    // line2
    // $ cat file.txt | ./test.sh
    // line1
    // line2
    use std::os::unix::fs::PermissionsExt;

    let scene = TestScenario::new(util_name!());
    let at = &scene.fixtures;
    let data = "line1\nline2\n";

    at.write("file.txt", data);

    let mut script = at.make_file("test.sh");
    writeln!(script, "#!/usr/bin/env sh").unwrap();
    writeln!(script, "tail").unwrap();
    script
        .set_permissions(PermissionsExt::from_mode(0o755))
        .unwrap();

    drop(script); // close the file handle to ensure file is not busy

    // test with redirection
    scene
        .cmd("sh")
        .current_dir(at.plus(""))
        .arg("-c")
        .arg("./test.sh < file.txt")
        .succeeds()
        .stdout_only(data);

    // test with pipe
    scene
        .cmd("sh")
        .current_dir(at.plus(""))
        .arg("-c")
        .arg("cat file.txt | ./test.sh")
        .succeeds()
        .stdout_only(data);
}
