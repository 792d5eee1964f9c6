// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `ubi` 0.13.0
// (https://static.crates.io/crates/ubi/ubi-0.13.0.crate), file `src/installer.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/ubi-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl ExeInstaller {

    fn copy_executable(&self, exe_file: &Path) -> Result<PathBuf> {
        debug!("copying executable to final location");
        self.create_install_dir().with_context(|| {
            format!(
                "failed to create installation directory for {}",
                self.install_path.display()
            )
        })?;

        let install_path = self.maybe_munged_install_path(exe_file)?;
        self.check_install_path_is_not_a_dir(&install_path)?;
        std::fs::copy(exe_file, &install_path).with_context(|| {
            format!(
                "error copying file from {} to {}",
                exe_file.display(),
                install_path.display()
            )
        })?;

        Ok(install_path)
    }

}
