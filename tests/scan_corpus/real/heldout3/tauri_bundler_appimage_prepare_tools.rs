// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-bundler` 2.10.4
// (https://static.crates.io/crates/tauri-bundler/tauri-bundler-2.10.4.crate), file `src/bundle/linux/appimage/linuxdeploy.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-bundler-License-Apache.md, ../licences/tauri-bundler-License-MIT.md).
// excerpt: unrelated items removed; every kept line is verbatim.
// Copyright 2016-2019 Cargo-Bundle developers <https://github.com/burtonageo/cargo-bundle>
// Copyright 2019-2024 Tauri Programme within The Commons Conservancy
// SPDX-License-Identifier: Apache-2.0
// SPDX-License-Identifier: MIT

use super::{super::debian, write_and_make_executable};
use crate::{
  Settings,
  bundle::settings::Arch,
  error::Context,
  utils::{CommandExt, fs_utils, http_utils::download},
};
use std::{
  fs,
  path::{Path, PathBuf},
  process::Command,
};

// returns the linuxdeploy path to keep linuxdeploy_arch contained
fn prepare_tools(tools_path: &Path, arch: &str, verbose: bool) -> crate::Result<PathBuf> {
  const LINUXDEPLOY_COMMIT_HASH: &str = "07333c6";

  let apprun = tools_path.join(format!("AppRun-{arch}"));
  if !apprun.exists() {
    let data = download(&format!(
      "https://github.com/tauri-apps/binary-releases/releases/download/apprun-old/AppRun-{arch}"
    ))?;
    write_and_make_executable(&apprun, &data)?;
  }

  let linuxdeploy_arch = if arch == "i686" { "i386" } else { arch };
  let linuxdeploy = tools_path.join(format!(
    "linuxdeploy-{LINUXDEPLOY_COMMIT_HASH}-{linuxdeploy_arch}.AppImage"
  ));
  if !linuxdeploy.exists() {
    let data = download(&format!(
      "https://github.com/tauri-apps/binary-releases/releases/download/linuxdeploy-{LINUXDEPLOY_COMMIT_HASH}/linuxdeploy-{linuxdeploy_arch}.AppImage"
    ))?;
    write_and_make_executable(&linuxdeploy, &data)?;
  }

  // The plugin scripts are embedded, so rewrite them whenever the cached copy differs:
  // a copy left behind by an older CLI would otherwise be used forever.
  for (name, data) in [
    (
      "linuxdeploy-plugin-gtk.sh",
      include_bytes!("./linuxdeploy-plugin-gtk.sh").as_slice(),
    ),
    (
      "linuxdeploy-plugin-gstreamer.sh",
      include_bytes!("./linuxdeploy-plugin-gstreamer.sh").as_slice(),
    ),
  ] {
    let path = tools_path.join(name);
    if fs::read(&path).ok().as_deref() != Some(data) {
      write_and_make_executable(&path, data)?;
    }
  }

  let appimage = tools_path.join("linuxdeploy-plugin-appimage.AppImage");
  if !appimage.exists() {
    // This is optional, linuxdeploy will fall back to its built-in version if the download failed.
    // Since switching to linuxdeploy-07333c6 this shouldn't be necessary anymore, but we keep it here for now just for fun.
    let data = download(&format!(
      "https://github.com/linuxdeploy/linuxdeploy-plugin-appimage/releases/download/continuous/linuxdeploy-plugin-appimage-{arch}.AppImage"
    ));
    match data {
      Ok(data) => write_and_make_executable(&appimage, &data)?,
      Err(err) => {
        log::error!("Download of AppImage plugin failed. Using older built-in version instead.");
        if verbose {
          log::debug!("{err:?}");
        }
      }
    }
  }

  // This should prevent linuxdeploy to be detected by appimage integration tools
  let _ = Command::new("dd")
    .args([
      "if=/dev/zero",
      "bs=1",
      "count=3",
      "seek=8",
      "conv=notrunc",
      &format!("of={}", linuxdeploy.display()),
    ])
    .output();

  Ok(linuxdeploy)
}

