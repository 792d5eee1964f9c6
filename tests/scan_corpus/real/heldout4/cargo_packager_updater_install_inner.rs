// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-packager-updater` 0.2.3
// (https://static.crates.io/crates/cargo-packager-updater/cargo-packager-updater-0.2.3.crate), file `src/lib.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-packager-updater-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Update {

    #[cfg(windows)]
    fn install_inner(&self, bytes: Vec<u8>) -> Result<()> {
        use std::{io::Write, os::windows::process::CommandExt, process::Command};

        let extension = match self.format {
            UpdateFormat::Nsis => ".exe",
            UpdateFormat::Wix => ".msi",
            _ => return Err(crate::Error::UnsupportedUpdateFormat),
        };

        let mut temp_file = tempfile::Builder::new().suffix(extension).tempfile()?;
        temp_file.write_all(&bytes)?;
        let (f, path) = temp_file.keep()?;
        drop(f);

        let system_root = std::env::var("SYSTEMROOT");
        let powershell_path = system_root.as_ref().map_or_else(
            |_| "powershell.exe".to_string(),
            |p| format!("{p}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"),
        );

        const CREATE_NO_WINDOW: u32 = 0x08000000;

        // we support 2 type of files exe & msi for now
        // If it's an `exe` we expect an installer not a runtime.
        match self.format {
            UpdateFormat::Nsis => {
                // we need to wrap the installer path in quotes for Start-Process
                let mut installer_path = std::ffi::OsString::new();
                installer_path.push("\"");
                installer_path.push(&path);
                installer_path.push("\"");

                let installer_args = self
                    .config
                    .windows
                    .as_ref()
                    .and_then(|w| w.installer_args.clone())
                    .unwrap_or_default();
                let installer_args = [
                    self.config
                        .windows
                        .as_ref()
                        .and_then(|w| w.install_mode.clone())
                        .unwrap_or_default()
                        .nsis_args(),
                    installer_args
                        .iter()
                        .map(AsRef::as_ref)
                        .collect::<Vec<_>>()
                        .as_slice(),
                ]
                .concat();

                // Run the installer
                let mut cmd = Command::new(powershell_path);
                cmd.creation_flags(CREATE_NO_WINDOW)
                    .args(["-NoProfile", "-WindowStyle", "Hidden"])
                    .args(["Start-Process"])
                    .arg(installer_path);
                if !installer_args.is_empty() {
                    cmd.arg("-ArgumentList").arg(installer_args.join(", "));
                }
                cmd.spawn().expect("installer failed to start");

                std::process::exit(0);
            }
            UpdateFormat::Wix => {
                {
                    // we need to wrap the current exe path in quotes for Start-Process
                    let mut current_exe_arg = std::ffi::OsString::new();
                    current_exe_arg.push("\"");
                    current_exe_arg.push(current_exe()?);
                    current_exe_arg.push("\"");

                    let mut mis_path = std::ffi::OsString::new();
                    mis_path.push("\"\"\"");
                    mis_path.push(&path);
                    mis_path.push("\"\"\"");

                    let installer_args = self
                        .config
                        .windows
                        .as_ref()
                        .and_then(|w| w.installer_args.clone())
                        .unwrap_or_default();
                    let installer_args = [
                        self.config
                            .windows
                            .as_ref()
                            .and_then(|w| w.install_mode.clone())
                            .unwrap_or_default()
                            .msiexec_args(),
                        installer_args
                            .iter()
                            .map(AsRef::as_ref)
                            .collect::<Vec<_>>()
                            .as_slice(),
                    ]
                    .concat();

                    // run the installer and relaunch the application
                    let powershell_install_res = Command::new(powershell_path)
                        .creation_flags(CREATE_NO_WINDOW)
                        .args(["-NoProfile", "-WindowStyle", "Hidden"])
                        .args([
                            "Start-Process",
                            "-Wait",
                            "-FilePath",
                            "$env:SYSTEMROOT\\System32\\msiexec.exe",
                            "-ArgumentList",
                        ])
                        .arg("/i,")
                        .arg(&mis_path)
                        .arg(format!(", {}, /promptrestart;", installer_args.join(", ")))
                        .arg("Start-Process")
                        .arg(current_exe_arg)
                        .spawn();
                    if powershell_install_res.is_err() {
                        // fallback to running msiexec directly - relaunch won't be available
                        // we use this here in case powershell fails in an older machine somehow
                        let msiexec_path = system_root.as_ref().map_or_else(
                            |_| "msiexec.exe".to_string(),
                            |p| format!("{p}\\System32\\msiexec.exe"),
                        );
                        let _ = Command::new(msiexec_path)
                            .arg("/i")
                            .arg(mis_path)
                            .args(installer_args)
                            .arg("/promptrestart")
                            .spawn();
                    }

                    std::process::exit(0);
                }
            }
            _ => unreachable!(),
        }
    }

    // Linux (AppImage)
    //
    // ### Expected structure:
    // ├── [AppName]_[version]_amd64.AppImage.tar.gz    # GZ generated by cargo-packager
    // │   └──[AppName]_[version]_amd64.AppImage        # Application AppImage
    // └── ...
    //
    // We should have an AppImage already installed to be able to copy and install
    // the extract_path is the current AppImage path
    // tmp_dir is where our new AppImage is found
    #[cfg(any(
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    fn install_inner(&self, bytes: Vec<u8>) -> Result<()> {
        use std::fs;

        match self.format {
            UpdateFormat::AppImage => {}
            _ => return Err(crate::Error::UnsupportedUpdateFormat),
        };

        let extract_path_metadata = self.extract_path.metadata()?;
        let tmp_dir_locations = vec![
            Box::new(|| Some(std::env::temp_dir())) as Box<dyn FnOnce() -> Option<PathBuf>>,
            Box::new(dirs::cache_dir),
            Box::new(|| Some(self.extract_path.parent().unwrap().to_path_buf())),
        ];

        for tmp_dir_location in tmp_dir_locations {
            if let Some(tmp_dir_root) = tmp_dir_location() {
                use std::os::unix::fs::{MetadataExt, PermissionsExt};

                let tmp_dir = tempfile::Builder::new()
                    .prefix("current_app")
                    .tempdir_in(tmp_dir_root)?;
                let tmp_dir_metadata = tmp_dir.path().metadata()?;

                if extract_path_metadata.dev() == tmp_dir_metadata.dev() {
                    let mut perms = tmp_dir_metadata.permissions();
                    perms.set_mode(0o700);
                    fs::set_permissions(&tmp_dir, perms)?;

                    let tmp_app_image = tmp_dir.path().join("current_app.AppImage");

                    // get metadata to restore later
                    let metadata = self.extract_path.metadata()?;

                    // create a backup of our current app image
                    fs::rename(&self.extract_path, &tmp_app_image)?;

                    // if something went wrong during the extraction, we should restore previous app
                    if let Err(err) = fs::write(&self.extract_path, bytes).and_then(|_| {
                        fs::set_permissions(&self.extract_path, metadata.permissions())
                    }) {
                        fs::rename(tmp_app_image, &self.extract_path)?;
                        return Err(err.into());
                    }

                    // early finish we have everything we need here
                    return Ok(());
                }
            }
        }

        Err(Error::TempDirNotOnSameMountPoint)
    }

    // MacOS
    //
    // ### Expected structure:
    // ├── [AppName]_[version]_x64.app.tar.gz       # GZ generated by cargo-packager
    // │   └──[AppName].app                         # Main application
    // │      └── Contents                          # Application contents...
    // │          └── ...
    // └── ...
    #[cfg(target_os = "macos")]
    fn install_inner(&self, bytes: Vec<u8>) -> Result<()> {
        use flate2::read::GzDecoder;

        let cursor = Cursor::new(bytes);
        let mut extracted_files: Vec<PathBuf> = Vec::new();

        // Create temp directories for backup and extraction
        let tmp_backup_dir = tempfile::Builder::new()
            .prefix("packager_current_app")
            .tempdir()?;

        let tmp_extract_dir = tempfile::Builder::new()
            .prefix("packager_updated_app")
            .tempdir()?;

        let decoder = GzDecoder::new(cursor);
        let mut archive = tar::Archive::new(decoder);

        // Extract files to temporary directory
        for entry in archive.entries()? {
            let mut entry = entry?;
            let collected_path: PathBuf = entry.path()?.iter().skip(1).collect();
            let extraction_path = tmp_extract_dir.path().join(&collected_path);

            // Ensure parent directories exist
            if let Some(parent) = extraction_path.parent() {
                std::fs::create_dir_all(parent)?;
            }

            if let Err(err) = entry.unpack(&extraction_path) {
                // Cleanup on error
                std::fs::remove_dir_all(tmp_extract_dir.path()).ok();
                return Err(err.into());
            }
            extracted_files.push(extraction_path);
        }

        // Try to move the current app to backup
        let move_result = std::fs::rename(
            &self.extract_path,
            tmp_backup_dir.path().join("current_app"),
        );
        let need_authorization = if let Err(err) = move_result {
            if err.kind() == std::io::ErrorKind::PermissionDenied {
                true
            } else {
                std::fs::remove_dir_all(tmp_extract_dir.path()).ok();
                return Err(err.into());
            }
        } else {
            false
        };

        if need_authorization {
            log::debug!("app installation needs admin privileges");
            // Use AppleScript to perform moves with admin privileges
            let apple_script = format!(
                "do shell script \"rm -rf '{src}' && mv -f '{new}' '{src}'\" with administrator privileges",
                src = self.extract_path.display(),
                new = tmp_extract_dir.path().display()
            );

            let res = std::process::Command::new("osascript")
                .arg("-e")
                .arg(apple_script)
                .status();

            if res.is_err() || !res.unwrap().success() {
                log::error!("failed to install update using AppleScript");
                std::fs::remove_dir_all(tmp_extract_dir.path()).ok();
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "Failed to move the new app into place",
                )));
            }
        } else {
            // Remove existing directory if it exists
            if self.extract_path.exists() {
                std::fs::remove_dir_all(&self.extract_path)?;
            }
            // Move the new app to the target path
            std::fs::rename(tmp_extract_dir.path(), &self.extract_path)?;
        }

        let _ = std::process::Command::new("touch")
            .arg(&self.extract_path)
            .status();

        Ok(())
    }
}
