// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trunk` 0.22.1
// (https://static.crates.io/crates/trunk/trunk-0.22.1.crate), file `src/pipelines/rust/mod.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/trunk-LICENSE-APACHE, ../licences/trunk-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl RustApp {

    async fn copy_or_minify_js(
        &self,
        origin_path: impl AsRef<Path>,
        destination_path: &Path,
        mode: JsModuleType,
    ) -> Result<()> {
        let bytes = fs::read(origin_path)
            .await
            .context("error reading JS loader file")?;

        let write_bytes = match self.cfg.should_minify() {
            true => minify_js(bytes, mode),
            false => bytes,
        };

        fs::write(destination_path, write_bytes)
            .await
            .context("error writing JS loader file to stage dir")?;

        Ok(())
    }

}
