// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-plugin-updater` 2.14.1
// (https://static.crates.io/crates/tauri-plugin-updater/tauri-plugin-updater-2.14.1.crate), file `src/updater.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-plugin-updater-LICENSE_APACHE-2.0, ../licences/tauri-plugin-updater-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd"
))]
impl Update {


    fn install_appimage(&self, bytes: &[u8]) -> Result<()> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let extract_path_metadata = self.extract_path.metadata()?;

        // check the payload before touching the current AppImage
        let is_gz = infer::archive::is_gz(bytes);
        #[cfg(not(feature = "zip"))]
        if is_gz {
            log::error!(
                "the update is a compressed AppImage, which can only be installed when the updater's `zip` feature is enabled"
            );
            return Err(Error::InvalidUpdaterFormat);
        }
        // AppImages are ELF executables
        if !is_gz && !infer::app::is_elf(bytes) {
            log::error!("the update is neither an AppImage nor a compressed AppImage");
            return Err(Error::InvalidUpdaterFormat);
        }

        for tmp_dir_location in self.tmp_dir_locations() {
            let Some(tmp_dir_location) = tmp_dir_location() else {
                continue;
            };
            // a location that cannot be used moves on to the next one
            let tmp_dir = match tempfile::Builder::new()
                .prefix("tauri_current_app")
                .tempdir_in(&tmp_dir_location)
            {
                Ok(tmp_dir) => tmp_dir,
                Err(err) => {
                    log::debug!(
                        "failed to create a temporary directory in {}: {err}",
                        tmp_dir_location.display()
                    );
                    continue;
                }
            };
            if let Ok(tmp_dir_metadata) = tmp_dir.path().metadata()
                && extract_path_metadata.dev() == tmp_dir_metadata.dev()
            {
                let mut perms = tmp_dir_metadata.permissions();
                perms.set_mode(0o700);
                std::fs::set_permissions(tmp_dir.path(), perms)?;

                let tmp_app_image = &tmp_dir.path().join("current_app.AppImage");

                let permissions = std::fs::metadata(&self.extract_path)?.permissions();

                // create a backup of our current app image
                match std::fs::rename(&self.extract_path, tmp_app_image) {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::CrossesDevices => continue,
                    Err(err) => return Err(err.into()),
                }

                #[cfg(feature = "zip")]
                if is_gz {
                    log::debug!("extracting AppImage");
                    // extract the buffer to the tmp_dir
                    // we extract our signed archive into our final directory without any temp file
                    let archive = std::io::Cursor::new(bytes);
                    let decoder = flate2::read::GzDecoder::new(archive);
                    let mut archive = tar::Archive::new(decoder);
                    for mut entry in archive.entries()?.flatten() {
                        if let Ok(path) = entry.path()
                            && path.extension() == Some(OsStr::new("AppImage"))
                        {
                            // if something went wrong during the extraction, we should restore previous app
                            if let Err(err) = entry.unpack(&self.extract_path) {
                                std::fs::rename(tmp_app_image, &self.extract_path)?;
                                return Err(err.into());
                            }
                            // early finish we have everything we need here
                            return Ok(());
                        }
                    }
                    // if we have not returned early we should restore the backup
                    std::fs::rename(tmp_app_image, &self.extract_path)?;
                    return Err(Error::BinaryNotFoundInArchive);
                }

                log::debug!("rewriting AppImage");
                return match std::fs::write(&self.extract_path, bytes)
                    .and_then(|_| std::fs::set_permissions(&self.extract_path, permissions))
                {
                    Err(err) => {
                        // if something went wrong during the extraction, we should restore previous app
                        std::fs::rename(tmp_app_image, &self.extract_path)?;
                        Err(err.into())
                    }
                    Ok(_) => Ok(()),
                };
            }
        }

        Err(Error::TempDirNotOnSameMountPoint)
    }

}
