// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `worker-build` 0.8.7
// (https://static.crates.io/crates/worker-build/worker-build-0.8.7.crate), file `src/binary.rs`.
// Licence: Apache-2.0 (see ../licences/worker-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(target_family = "unix")]
fn fix_permissions(options: &mut OpenOptions) -> &mut OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o755)
}

#[cfg(target_family = "windows")]
fn fix_permissions(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

/// Download and extract a tar.gz archive, stripping its top-level directory
pub(crate) fn download(url: &str, bin_dir: &Path) -> Result<()> {
    let agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::NativeTls)
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .new_agent();
    let mut res = agent
        .get(url)
        .call()
        .with_context(|| format!("Failed to fetch URL {url}"))?;
    let body = res.body_mut().as_reader();
    let deflater = GzDecoder::new(body);
    let mut archive = tar::Archive::new(deflater);

    for entry in archive
        .entries()
        .context("Failed to read archive entries")?
    {
        let mut entry = entry?;
        let path_stripped = entry.path()?.components().skip(1).collect::<PathBuf>();
        let entry_type = entry.header().entry_type();
        // Skip the top-level directory itself, pax headers, and links.
        if path_stripped.as_os_str().is_empty() || !(entry_type.is_dir() || entry_type.is_file()) {
            continue;
        }
        let bin_path = bin_dir.join(path_stripped);

        if entry_type.is_dir() {
            std::fs::create_dir_all(&bin_path)
                .with_context(|| format!("Failed to create directory {}", bin_path.display()))?;
        } else {
            if let Some(parent) = bin_path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("Failed to create directory {}", parent.display()))?;
            }

            let mut options = std::fs::OpenOptions::new();
            let options = fix_permissions(&mut options);
            let mut file = options
                .create(true)
                .write(true)
                .truncate(true)
                .open(&bin_path)
                .with_context(|| format!("Failed to create file {}", bin_path.display()))?;
            std::io::copy(&mut entry, &mut file)
                .with_context(|| format!("Failed to extract file {}", bin_path.display()))?;
        }
    }

    Ok(())
}
