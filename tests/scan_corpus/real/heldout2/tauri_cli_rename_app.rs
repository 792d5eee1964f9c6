// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-cli` 2.12.4
// (https://static.crates.io/crates/tauri-cli/tauri-cli-2.12.4.crate), file `src/interface/rust/desktop.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-cli-LICENSE-APACHE-2.0, ../licences/tauri-cli-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
fn rename_app(
  bin_path: PathBuf,
  main_binary_name: Option<&str>,
  target_platform: &TargetPlatform,
) -> crate::Result<PathBuf> {
  if let Some(main_binary_name) = main_binary_name {
    let extension = if matches!(target_platform, TargetPlatform::Windows) {
      ".exe"
    } else {
      ""
    };
    let new_path = bin_path.with_file_name(format!("{main_binary_name}{extension}"));
    fs::rename(&bin_path, &new_path).fs_context("failed to rename app binary", bin_path)?;
    Ok(new_path)
  } else {
    Ok(bin_path)
  }
}
