// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-packager` 0.11.8
// (https://static.crates.io/crates/cargo-packager/cargo-packager-0.11.8.crate), file `src/package/wix/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-packager-LICENSE_APACHE-2.0, ../licences/cargo-packager-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Generates the data required for the external binaries.
#[tracing::instrument(level = "trace", skip(config))]
fn generate_binaries_data(config: &Config) -> crate::Result<Vec<Binary>> {
    let mut binaries = Vec::new();
    let tmp_dir = std::env::temp_dir();
    let regex = Regex::new(r"[^\w\d\.]")?;

    if let Some(external_binaries) = &config.external_binaries {
        let cwd = std::env::current_dir()?;
        let target_triple = config.target_triple();
        for src in external_binaries {
            let file_name = src
                .file_name()
                .ok_or_else(|| Error::FailedToExtractFilename(src.clone()))?
                .to_string_lossy();
            let src = src.with_file_name(format!("{file_name}-{target_triple}.exe"));
            let path = cwd.join(src);
            let bin_path = dunce::canonicalize(&path).map_err(|e| Error::IoWithPath(path, e))?;
            let dest_file_name = format!("{file_name}.exe");
            let dest = tmp_dir.join(&*dest_file_name);

            fs::copy(&bin_path, &dest).map_err(|e| Error::CopyFile(bin_path, dest.clone(), e))?;

            binaries.push(Binary {
                guid: Uuid::new_v4().to_string(),
                path: dest.into_os_string().into_string().unwrap_or_default(),
                id: regex
                    .replace_all(&dest_file_name.replace('-', "_"), "")
                    .to_string(),
            });
        }
    }

    for bin in &config.binaries {
        if !bin.main {
            binaries.push(Binary {
                guid: Uuid::new_v4().to_string(),
                path: config
                    .binary_path(bin)
                    .with_extension("exe")
                    .into_os_string()
                    .to_string_lossy()
                    .to_string(),
                id: regex
                    .replace_all(
                        &bin.path
                            .file_stem()
                            .unwrap()
                            .to_string_lossy()
                            .replace('-', "_"),
                        "",
                    )
                    .to_string(),
            })
        }
    }

    Ok(binaries)
}
