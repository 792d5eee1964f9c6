// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-leptos` 0.3.11
// (https://static.crates.io/crates/cargo-leptos/cargo-leptos-0.3.11.crate), file `src/service/site.rs`.
// Licence: MIT (see ../licences/cargo-leptos-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Site {

    pub async fn updated(&self, file: &SourcedSiteFile) -> Result<bool> {
        fs::create_dir_all(file.dest.clone().without_last()).await?;

        let new_hash = file_hash(&file.source).await?;
        let cur_hash = self.current_hash(&file.site, &file.dest).await?;

        if Some(new_hash) == cur_hash {
            return Ok(false);
        }
        fs::copy(&file.source, &file.dest).await?;

        let mut reg = self.file_reg.write().await;
        reg.insert(file.site.to_string(), new_hash);
        Ok(true)
    }

}
