// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-gpu` 0.11.0
// (https://static.crates.io/crates/cargo-gpu/cargo-gpu-0.11.0.crate), file `src/build.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-gpu-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Build {
    /// Entrypoint
    pub fn run(&mut self) -> anyhow::Result<()> {
        let installed_backend = self.install.run()?;
        let mut metadata = crate::metadata::MetadataCache::default();

        if let Some(package) = self.install.package.as_ref() {
            self.install.shader_crate = metadata.resolve_package_to_shader_crate(package)?;
        }

        let _lockfile_mismatch_handler = LockfileMismatchHandler::new(
            &self.install.shader_crate,
            &installed_backend.toolchain_channel,
            self.install.force_overwrite_lockfiles_v4_to_v3,
        )?;

        let builder = &mut self.build.spirv_builder;
        builder.path_to_crate = Some(self.install.shader_crate.clone());
        installed_backend.configure_spirv_builder(builder)?;

        // Ensure the shader output dir exists
        log::debug!(
            "ensuring output-dir '{}' exists",
            self.build.output_dir.display()
        );
        std::fs::create_dir_all(&self.build.output_dir)?;
        let canonicalized = dunce::canonicalize(&self.build.output_dir)?;
        log::debug!("canonicalized output dir: {}", canonicalized.display());
        self.build.output_dir = canonicalized;

        // Ensure the shader crate exists
        self.install.shader_crate = dunce::canonicalize(&self.install.shader_crate)?;
        anyhow::ensure!(
            self.install.shader_crate.exists(),
            "shader crate '{}' does not exist. (Current dir is '{}')",
            self.install.shader_crate.display(),
            std::env::current_dir()?.display()
        );

        if self.build.watch {
            let mut watcher = self.build.spirv_builder.clone().watch()?;
            loop {
                // if the build fails "regularly", eg. `cargo build` fails and nothing else, just retry
                crate::user_output!(
                    "Compiling shaders at {}...\n",
                    self.install.shader_crate.display()
                );
                match watcher.recv() {
                    Ok(result) => {
                        self.parse_compilation_result(&result)?;
                        crate::user_output!("Build successful!\n");
                    }
                    Err(SpirvBuilderError::BuildFailed) => crate::user_output!("Build failed!\n"),
                    Err(err) => return Err(anyhow::Error::from(err)),
                }
            }
        } else {
            crate::user_output!(
                "Compiling shaders at {}...\n",
                self.install.shader_crate.display()
            );
            let result = self.build.spirv_builder.build();
            match result {
                Ok(result) => {
                    self.parse_compilation_result(&result)?;
                }
                // conditionally ignore NoArtifactProduced
                Err(SpirvBuilderError::NoArtifactProduced { .. })
                    if self.build.allow_no_artifacts => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// Parses compilation result from `SpirvBuilder` and writes it out to a file
    fn parse_compilation_result(&self, result: &CompileResult) -> anyhow::Result<()> {
        let shaders = match &result.module {
            ModuleResult::MultiModule(modules) => {
                anyhow::ensure!(!modules.is_empty(), "No shader modules were compiled");
                modules.iter().collect::<Vec<_>>()
            }
            ModuleResult::SingleModule(filepath) => result
                .entry_points
                .iter()
                .map(|entry| (entry, filepath))
                .collect::<Vec<_>>(),
        };
        let mut linkage: Vec<Linkage> = shaders
            .into_iter()
            .map(|(entry, filepath)| -> anyhow::Result<Linkage> {
                use relative_path::PathExt as _;
                let path = self.build.output_dir.join(
                    filepath
                        .file_name()
                        .context("Couldn't parse file name from shader module path")?,
                );
                log::debug!("copying {} to {}", filepath.display(), path.display());
                std::fs::copy(filepath, &path)?;
                log::debug!(
                    "linkage of {} relative to {}",
                    path.display(),
                    self.install.shader_crate.display()
                );
                let spv_path = path
                    .relative_to(&self.install.shader_crate)
                    .map_or(path, |path_relative_to_shader_crate| {
                        path_relative_to_shader_crate.to_path("")
                    });
                Ok(Linkage::new(entry, spv_path))
            })
            .collect::<anyhow::Result<Vec<Linkage>>>()?;
        // Sort the contents so the output is deterministic
        linkage.sort();

        // Write the shader manifest json file
        let manifest_path = self.build.output_dir.join(&self.build.manifest_file);
        let json = serde_json::to_string_pretty(&linkage)?;
        let mut file = std::fs::File::create(&manifest_path).with_context(|| {
            format!(
                "could not create shader manifest file '{}'",
                manifest_path.display(),
            )
        })?;
        file.write_all(json.as_bytes()).with_context(|| {
            format!(
                "could not write shader manifest file '{}'",
                manifest_path.display(),
            )
        })?;

        log::info!("wrote manifest to '{}'", manifest_path.display());
        Ok(())
    }
}
