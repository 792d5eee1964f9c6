// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/nightlies_db.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
fn refresh_from(
    paths: &GlobalPaths,
    source: &url::Url,
    deadline: Instant,
    download: impl FnOnce(&str, Instant) -> Result<String>,
) -> Result<NightliesDb> {
    let payload = download(source.as_str(), deadline)?;
    let db = NightliesDb::parse(&payload)?;
    let cache = Cache {
        source: source.to_string(),
        checked_at: Utc::now(),
        payload,
    };
    let parent = paths
        .nightliesdb
        .parent()
        .context("Nightly cache has no parent.")?;
    std::fs::create_dir_all(parent)?;
    let temp = tempfile::NamedTempFile::new_in(parent)?;
    std::fs::write(temp.path(), serde_json::to_vec(&cache)?)?;
    temp.persist(&paths.nightliesdb)
        .context("Failed to replace nightly cache.")?;
    Ok(db)
}
