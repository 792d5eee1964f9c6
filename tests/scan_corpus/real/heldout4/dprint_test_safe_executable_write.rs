// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dprint` 0.64.3
// (https://static.crates.io/crates/dprint/dprint-0.64.3.crate), file `src/plugins/implementations/process/plugin.rs`.
// Licence: MIT (see ../licences/dprint-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
pub fn get_test_safe_executable_path(version: &str, executable_file_path: PathBuf, environment: &impl Environment) -> PathBuf {
  if environment.is_real() {
    return executable_file_path;
  }

  static CREATED_TEMP_FILES: once_cell::sync::Lazy<Mutex<std::collections::HashSet<PathBuf>>> = once_cell::sync::Lazy::new(Default::default);

  let tmp_dir = PathBuf::from("temp");
  let file_name = if cfg!(target_os = "windows") {
    format!("temp-plugin-{version}.exe")
  } else {
    format!("temp-plugin-{version}")
  };
  let temp_file = tmp_dir.join(file_name);

  // create the per-version temp executable once, from the (identical across
  // every test process plugin) binary bytes
  let mut created = CREATED_TEMP_FILES.lock();
  if created.insert(temp_file.clone()) {
    #[allow(clippy::disallowed_methods)]
    let _ = std::fs::create_dir(&tmp_dir);
    let bytes = environment.read_file_bytes(&executable_file_path).unwrap();
    #[allow(clippy::disallowed_methods)]
    let _ = std::fs::write(&temp_file, &bytes);
    if cfg!(unix) {
      std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("chmod +x {}", temp_file.to_string_lossy()))
        .status()
        .unwrap();
    }
  }
  temp_file
}
