// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `just` 1.59.0
// (https://static.crates.io/crates/just/just-1.59.0.crate), file `tests/edit.rs` (a test file).
// Licence: CC0-1.0 (see ../licences/just-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Test that editor working directory is the same as edited justfile
#[cfg(unix)]
#[test]
fn editor_working_directory() {
  let tmp = tempdir();
  fs::write(tmp.path().join("justfile"), JUSTFILE).unwrap();
  fs::create_dir(tmp.path().join("child")).unwrap();
  fs::write(tmp.path().join("editor"), "#!/usr/bin/env sh\ncat $1\npwd").unwrap();

  let editor = tmp.path().join("editor");

  let permissions = std::os::unix::fs::PermissionsExt::from_mode(0o700);
  fs::set_permissions(&editor, permissions).unwrap();

  let output = Command::new(JUST)
    .current_dir(tmp.path().join("child"))
    .arg("--edit")
    .env("VISUAL", &editor)
    .output()
    .unwrap();

  let want = format!(
    "{JUSTFILE}{}\n",
    tmp.path().canonicalize().unwrap().display()
  );

  assert_stdout(&output, &want);
}
