// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-packager` 0.11.8
// (https://static.crates.io/crates/cargo-packager/cargo-packager-0.11.8.crate), file `src/package/nsis/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-packager-LICENSE_APACHE-2.0, ../licences/cargo-packager-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
#[tracing::instrument(level = "trace", skip(ctx))]
fn get_and_extract_nsis(
    #[allow(unused)] ctx: &Context,
    nsis_toolset_path: &Path,
) -> crate::Result<()> {
    #[cfg(target_os = "windows")]
    {
        let data = download_and_verify("nsis-3.09.zip", NSIS_URL, NSIS_SHA1, HashAlgorithm::Sha1)?;
        tracing::debug!("Extracting nsis-3.09.zip");
        extract_zip(&data, &ctx.tools_path)?;
        let downloaded_nsis = ctx.tools_path.join("nsis-3.09");
        fs::rename(&downloaded_nsis, nsis_toolset_path)
            .map_err(|e| Error::RenameFile(downloaded_nsis, nsis_toolset_path.to_path_buf(), e))?;
    }

    let nsis_plugins = nsis_toolset_path.join("Plugins");

    let unicode_plugins = nsis_plugins.join("x86-unicode");
    fs::create_dir_all(&unicode_plugins)
        .map_err(|e| Error::IoWithPath(unicode_plugins.clone(), e))?;

    let data = download(NSIS_APPLICATIONID_URL)?;
    tracing::debug!("Extracting NSIS ApplicationID plugin");
    extract_zip(&data, &nsis_plugins)?;

    let src = nsis_plugins.join("ReleaseUnicode/ApplicationID.dll");
    let dest = unicode_plugins.join("ApplicationID.dll");
    fs::copy(&src, &dest).map_err(|e| Error::CopyFile(src, dest, e))?;

    let data = download_and_verify(
        "nsis_tauri_utils.dll",
        NSIS_TAURI_UTILS_URL,
        NSIS_TAURI_UTILS_SHA1,
        HashAlgorithm::Sha1,
    )?;
    let path = unicode_plugins.join("nsis_tauri_utils.dll");
    fs::write(&path, data).map_err(|e| Error::IoWithPath(path, e))?;

    Ok(())
}
