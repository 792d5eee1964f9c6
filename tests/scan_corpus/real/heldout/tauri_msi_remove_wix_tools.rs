// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-bundler` 2.10.4
// (https://static.crates.io/crates/tauri-bundler/tauri-bundler-2.10.4.crate), file `src/bundle/windows/msi/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-bundler-License-Apache.md, ../licences/tauri-bundler-License-MIT.md).
// excerpt: unrelated items removed; every kept line is verbatim.
// Copyright 2016-2019 Cargo-Bundle developers <https://github.com/burtonageo/cargo-bundle>
// Copyright 2019-2024 Tauri Programme within The Commons Conservancy
// SPDX-License-Identifier: Apache-2.0
// SPDX-License-Identifier: MIT

/// Runs all of the commands to build the MSI installer.
/// Returns a vector of PathBuf that shows where the MSI was created.
pub fn bundle_project(settings: &Settings, updater: bool) -> crate::Result<Vec<PathBuf>> {
  let tauri_tools_path = settings
    .local_tools_directory()
    .map(|d| d.join(".tauri"))
    .unwrap_or_else(|| dirs::cache_dir().unwrap().join("tauri"));

  let wix_path = tauri_tools_path.join("WixTools314");

  if !wix_path.exists() {
    get_and_extract_wix(&wix_path)?;
  } else if WIX_REQUIRED_FILES
    .iter()
    .any(|p| !wix_path.join(p).exists())
  {
    log::warn!("WixTools directory is missing some files. Recreating it.");
    std::fs::remove_dir_all(&wix_path)?;
    get_and_extract_wix(&wix_path)?;
  }

  build_wix_app_installer(settings, &wix_path, updater)
}
