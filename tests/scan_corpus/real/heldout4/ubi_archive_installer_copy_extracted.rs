// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `ubi` 0.13.0
// (https://static.crates.io/crates/ubi/ubi-0.13.0.crate), file `src/installer.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/ubi-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl ArchiveInstaller {

    fn copy_extracted_contents(&self, td: &TempDir) -> Result<()> {
        let copy_from = match self.extracted_contents_top_level_dir(td.path())? {
            Some(dir) => dir,
            None => td.path().to_path_buf(),
        };

        debug!(
            "copying extracted contents from {} to {}",
            copy_from.display(),
            self.install_root.display(),
        );

        for entry in WalkDir::new(&copy_from).into_iter().filter_map(Result::ok) {
            let full_path = entry.path();
            let target_path =
                self.install_root
                    .join(full_path.strip_prefix(&copy_from).with_context(|| {
                        format!(
                            "failed to strip prefix {} from path {}",
                            copy_from.display(),
                            full_path.display()
                        )
                    })?);

            if full_path.is_dir() {
                debug!("creating directory {}", target_path.display());
                create_dir_all(&target_path).with_context(|| {
                    format!("failed to create directory at {}", target_path.display())
                })?;
            } else {
                debug!(
                    "copying file {} to {}",
                    full_path.display(),
                    target_path.display(),
                );
                fs::copy(full_path, &target_path).with_context(|| {
                    format!(
                        "failed to copy file from {} to {}",
                        full_path.display(),
                        target_path.display()
                    )
                })?;
            }
        }

        Ok(())
    }

}
