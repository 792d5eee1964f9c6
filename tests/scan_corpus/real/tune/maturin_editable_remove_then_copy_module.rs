// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `maturin` 1.16.0
// (https://static.crates.io/crates/maturin/maturin-1.16.0.crate), file `src/binding_generator/mod.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/maturin-license-mit, ../licences/maturin-license-apache).
// excerpt: unrelated items removed; every kept line is verbatim.
impl<'writer, 'base> InstallDest<'writer, 'base> {

    fn add_artifact(&mut self, artifact_target: &ArtifactTarget, source: &Path) -> Result<()> {
        match self {
            Self::Editable { writer, base_path } => match artifact_target {
                ArtifactTarget::Binary(path) => {
                    // Use add_file_force to bypass exclusion checks for the compiled artifact
                    writer.add_file_force(path, source, true)?;
                }
                ArtifactTarget::ExtensionModule(path) => {
                    let target = base_path.join(path);
                    debug!("Removing previously built module {}", target.display());
                    fs::create_dir_all(target.parent().unwrap())?;
                    // Remove existing so file to avoid triggering SIGSEV in running process
                    // See https://github.com/PyO3/maturin/issues/758
                    let _ = fs::remove_file(&target);

                    debug!("Installing {} from {}", target.display(), source.display());
                    fs::copy(source, &target).with_context(|| {
                        format!(
                            "Failed to copy {} to {}",
                            source.display(),
                            target.display(),
                        )
                    })?;
                }
            },
            Self::Archive { writer } => {
                debug!(
                    "Adding to archive {} from {}",
                    artifact_target.path().display(),
                    source.display()
                );
                // Use add_file_force to bypass exclusion checks for the compiled artifact
                writer.add_file_force(artifact_target.path(), source, true)?;
            }
        }
        Ok(())
    }

}
