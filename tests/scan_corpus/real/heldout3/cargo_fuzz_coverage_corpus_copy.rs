// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-fuzz` 0.13.2
// (https://static.crates.io/crates/cargo-fuzz/cargo-fuzz-0.13.2.crate), file `src/project.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-fuzz-LICENSE-APACHE, ../licences/cargo-fuzz-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl FuzzProject {

    fn coverage_cmd_with_dir(
        &self,
        coverage: &options::Coverage,
        coverage_dir: &Path,
        files: &[PathBuf],
        batch_id: usize,
    ) -> Result<(Command, tempfile::TempDir, tempfile::TempDir)> {
        let temp_corpus = tempfile::tempdir()?;
        let temp_corpus_path = temp_corpus.path();

        for file in files {
            if let Some(file_name) = file.file_name() {
                let dest = temp_corpus_path.join(file_name);
                fs::hard_link(file, &dest)
                    .or_else(|_| fs::copy(file, &dest).map(|_| ()))
                    .with_context(|| {
                        format!(
                            "Failed to link or copy {} to temp directory",
                            file.display()
                        )
                    })?;
            }
        }

        let bin_path = self.get_coverage_bin_path(coverage)?;
        let mut cmd = Command::new(bin_path);

        cmd.env(
            "LLVM_PROFILE_FILE",
            coverage_dir.join(format!("batch-{}.profraw", batch_id)),
        );

        cmd.arg("-merge=1");
        let dummy_merged_corpus = tempfile::tempdir()?;
        cmd.arg(dummy_merged_corpus.path());
        cmd.arg(temp_corpus_path);

        for arg in &coverage.args {
            cmd.arg(arg);
        }

        Ok((cmd, temp_corpus, dummy_merged_corpus))
    }

}
