// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-packager` 0.11.8
// (https://static.crates.io/crates/cargo-packager/cargo-packager-0.11.8.crate), file `src/package/nsis/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-packager-LICENSE_APACHE-2.0, ../licences/cargo-packager-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
#[tracing::instrument(level = "trace", skip(ctx))]
pub(crate) fn package(ctx: &Context) -> crate::Result<Vec<PathBuf>> {
    let nsis_toolset_path = ctx.tools_path.join("NSIS");

    if !nsis_toolset_path.exists() {
        get_and_extract_nsis(ctx, &nsis_toolset_path)?;
    } else if NSIS_REQUIRED_FILES
        .iter()
        .any(|p| !nsis_toolset_path.join(p).exists())
    {
        tracing::warn!("NSIS directory is missing some files. Recreating it...");
        fs::remove_dir_all(&nsis_toolset_path)
            .map_err(|e| Error::IoWithPath(nsis_toolset_path.clone(), e))?;
        get_and_extract_nsis(ctx, &nsis_toolset_path)?;
    } else {
        let mismatched = NSIS_REQUIRED_FILES_HASH
            .iter()
            .filter(|(p, _, hash, hash_algorithm)| {
                verify_file_hash(nsis_toolset_path.join(p), hash, *hash_algorithm).is_err()
            })
            .collect::<Vec<_>>();

        if !mismatched.is_empty() {
            tracing::warn!("NSIS directory contains mis-hashed files. Redownloading them.");
            for (path, url, hash, hash_algorithim) in mismatched {
                let path = nsis_toolset_path.join(path);
                let data = download_and_verify(&path, url, hash, *hash_algorithim)?;
                fs::write(&path, data).map_err(|e| Error::IoWithPath(path, e))?;
            }
        }
    }

    build_nsis_app_installer(ctx, &nsis_toolset_path)
}
