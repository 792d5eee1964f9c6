// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trunk` 0.22.1
// (https://static.crates.io/crates/trunk/trunk-0.22.1.crate), file `src/tools.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/trunk-LICENSE-APACHE, ../licences/trunk-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl AppCache {
    /// Create a new app cache.
    fn new() -> Self {
        Self(HashMap::new())
    }

    /// Install the desired application of given version to the provided application directory. Or
    /// don't if it's already been installed.
    async fn install_once(
        &mut self,
        app: Application,
        version: &str,
        app_dir: PathBuf,
        client_options: &HttpClientOptions,
    ) -> Result<()> {
        let cached = self.0.entry((app, version.to_owned())).or_default();

        cached
            .get_or_try_init(|| async move {
                let path = download(app, version, client_options)
                    .await
                    .context("failed downloading release archive")?;

                let file = File::open(&path)
                    .await
                    .context("failed opening downloaded file")?;
                install(app, file, app_dir).await?;
                tokio::fs::remove_file(path)
                    .await
                    .context("failed deleting temporary archive")?;

                Ok(())
            })
            .await
            .map(|_| ())
    }
}
