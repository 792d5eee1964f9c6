// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `worker-build` 0.8.7
// (https://static.crates.io/crates/worker-build/worker-build-0.8.7.crate), file `src/binary.rs`.
// Licence: Apache-2.0 (see ../licences/worker-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.

/// For clearing the cache, remove all files for the given binary and target
fn remove_all_versions(name: &str, target: &str) -> Result<usize> {
    let prefix_name = format!("{name}-{target}-");
    let dir = dirs_next::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("worker-build");

    let mut deleted_count = 0;
    for entry in read_dir(&dir)
        .with_context(|| format!("Failed to read cache directory {}", dir.display()))?
    {
        let entry = entry?;
        let file_name = entry.file_name();

        if let Some(name_str) = file_name.to_str() {
            if name_str.starts_with(&prefix_name) {
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).with_context(|| {
                        format!("Failed to remove cached directory {}", path.display())
                    })?;
                } else {
                    std::fs::remove_file(&path).with_context(|| {
                        format!("Failed to remove cached file {}", path.display())
                    })?;
                }
                deleted_count += 1;
            }
        }
    }

    Ok(deleted_count)
}
