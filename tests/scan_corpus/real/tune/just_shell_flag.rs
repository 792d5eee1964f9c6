// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `just` 1.59.0
// (https://static.crates.io/crates/just/just-1.59.0.crate), file `tests/shell.rs` (a test file).
// Licence: CC0-1.0 (see ../licences/just-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Test that --shell correctly sets the shell
#[test]
#[cfg_attr(windows, ignore)]
fn flag() {
  let tmp = tempdir();
  fs::write(tmp.path().join("justfile"), JUSTFILE).unwrap();
  fs::write(tmp.path().join("shell"), "#!/usr/bin/env bash\necho \"$@\"").unwrap();

  let shell = tmp.path().join("shell");

  #[cfg(not(windows))]
  {
    let permissions = std::os::unix::fs::PermissionsExt::from_mode(0o700);
    fs::set_permissions(&shell, permissions).unwrap();
  }

  let output = Command::new(JUST)
    .current_dir(tmp.path())
    .arg("--shell")
    .arg(shell)
    .output()
    .unwrap();

  assert_stdout(&output, "-cu -cu EXPRESSION\n-cu -cu DEFAULT\n-cu RECIPE\n");
}
