// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `axoupdater` 0.10.3
// (https://static.crates.io/crates/axoupdater/axoupdater-0.10.3.crate), file `src/lib.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/axoupdater-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl AxoUpdater {

    /// Attempts to perform an update. The return value specifies whether an
    /// update was actually performed or not; false indicates "no update was
    /// needed", while an error indicates that an update couldn't be performed
    /// due to an error.
    pub async fn run(&mut self) -> AxoupdateResult<Option<UpdateResult>> {
        if !self.is_update_needed().await? {
            return Ok(None);
        }

        let release = match &self.requested_release {
            Some(r) => r,
            None => {
                self.fetch_release().await?;
                self.requested_release.as_ref().unwrap()
            }
        };
        let tempdir = TempDir::new()?;

        // If we've been given an installer path to use, skip downloading and
        // install from that.
        let installer_path = if let Some(path) = &self.installer_path {
            path.to_owned()
        // Otherwise, proceed with downloading the installer from the release
        // we just looked up.
        } else {
            let app_name = self.name.clone().unwrap_or_default();
            let installer_url = match env::consts::OS {
                "macos" | "linux" => release
                    .assets
                    .iter()
                    .find(|asset| asset.name == format!("{app_name}-installer.sh")),
                "windows" => release
                    .assets
                    .iter()
                    .find(|asset| asset.name == format!("{app_name}-installer.ps1")),
                _ => unreachable!(),
            };

            let installer_url = if let Some(installer_url) = installer_url {
                installer_url
            } else {
                return Err(AxoupdateError::NoInstallerForPackage {});
            };

            let extension = if cfg!(windows) { ".ps1" } else { ".sh" };

            let installer_path =
                Utf8PathBuf::try_from(tempdir.path().join(format!("installer{extension}")))?;

            #[cfg(unix)]
            {
                let installer_file = File::create(&installer_path)?;
                let mut perms = installer_file.metadata()?.permissions();
                perms.set_mode(0o744);
                installer_file.set_permissions(perms)?;
            }

            let download = self
                .client
                .get(&installer_url.browser_download_url)
                .header(reqwest::header::ACCEPT, "application/octet-stream")
                .send()
                .await?
                .text()
                .await?;

            LocalAsset::write_new_all(&download, &installer_path)?;

            installer_path
        };

        // Before we update, rename ourselves to a temporary name.
        // This is necessary because Windows won't let an actively-running
        // executable be overwritten.
        // If the update fails, we'll move it back to where it was before
        // we began the update process.
        let to_restore = if cfg!(target_family = "windows") {
            let old_filename = std::env::current_exe()?;

            let mut new_filename = old_filename.as_os_str().to_os_string();
            // Filename follows the pattern set here: https://docs.rs/self-replace/1.5.0/self_replace/#implementation
            new_filename.push(OsStr::new(".previous.exe"));
            std::fs::rename(&old_filename, &new_filename)?;

            Some((new_filename, old_filename))
        } else {
            None
        };

        let path = if cfg!(windows) {
            "powershell"
        } else {
            installer_path.as_str()
        };
        let mut command = Cmd::new(path, "execute installer");
        if cfg!(windows) {
            // don't fall over on default security-policy windows machines
            // which require opt-in to execing powershell scripts.
            // This doesn't bypass proper organization-set policies.
            command.arg("-ExecutionPolicy").arg("ByPass");
            command.arg(&installer_path);
        }
        if self.print_installer_stdout {
            command.stdout(Stdio::inherit());
        }
        if self.print_installer_stderr {
            command.stderr(Stdio::inherit());
        }
        command.check(false);
        // On Windows, fixes a bug that occurs if the parent process is
        // PowerShell Core.
        // https://github.com/PowerShell/PowerShell/issues/18530
        command.env_remove("PSModulePath");
        let install_prefix = self.install_prefix_root()?;
        // Forces the generated installer to install to exactly this path,
        // regardless of how it's configured to install.
        command.env("CARGO_DIST_FORCE_INSTALL_DIR", &install_prefix);

        // Also set the app-specific name for this; in the future, the
        // CARGO_DIST_ version may be removed.
        let app_name = self.name.clone().unwrap_or_default();
        let app_name_env_var = app_name_to_env_var(&app_name);
        let app_specific_env_var = format!("{app_name_env_var}_INSTALL_DIR");
        command.env(app_specific_env_var, &install_prefix);

        // If the previous installation didn't modify the path, we shouldn't either
        if !self.modify_path {
            let app_specific_modify_path = format!("{app_name_env_var}_NO_MODIFY_PATH");
            command.env(app_specific_modify_path, "1");
        }

        let result = command.output();

        let failed;
        let stdout;
        let stderr;
        let statuscode;
        if let Ok(output) = &result {
            failed = !output.status.success();
            stdout = if output.stdout.is_empty() {
                None
            } else {
                Some(String::from_utf8_lossy(&output.stdout).to_string())
            };
            stderr = if output.stderr.is_empty() {
                None
            } else {
                Some(String::from_utf8_lossy(&output.stderr).to_string())
            };
            statuscode = output.status.code();
        } else {
            failed = true;
            stdout = None;
            stderr = None;
            statuscode = None;
        }

        if let Some((ourselves, old_path)) = to_restore {
            if failed {
                std::fs::rename(ourselves, old_path)?;
            } else {
                #[cfg(windows)]
                self_replace::self_delete_at(&ourselves)
                    .map_err(|_| AxoupdateError::CleanupFailed {})?;
            }
        }

        // Return the original AxoprocessError if we failed to launch
        // the command at all
        result?;

        // Otherwise return a more specific error with status code and
        // stdout/err. Note that this stdout/stderr will be None if the
        // caller requested us to print stdout/stderr to the terminal.
        if failed {
            return Err(AxoupdateError::InstallFailed {
                status: statuscode,
                stdout,
                stderr,
            });
        }

        let result = UpdateResult {
            old_version: self.current_version.clone(),
            new_version: release.version.clone(),
            new_version_tag: release.tag_name.to_owned(),
            install_prefix,
        };

        Ok(Some(result))
    }

}
