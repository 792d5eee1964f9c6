// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-wasix` 0.1.34
// (https://static.crates.io/crates/cargo-wasix/cargo-wasix-0.1.34.crate), file `src/toolchain.rs`.
// Licence: Apache-2.0 WITH LLVM-exception (see ../licences/cargo-wasix-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Download a pre-built toolchain from Github releases.
fn download_toolchain(
    target: &str,
    toolchains_root_dir: &Path,
    toolchain_spec: ToolchainSpec,
) -> Result<PathBuf, anyhow::Error> {
    let mut headers = HeaderMap::new();

    // Use api token if specified via env var.
    // Prevents 403 errors when IP is throttled by Github API.
    let gh_token = std::env::var("GITHUB_TOKEN")
        .ok()
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty());

    if let Some(token) = gh_token {
        headers.insert("authorization", format!("Bearer {token}").parse()?);
    }

    let client = reqwest::blocking::Client::builder()
        .default_headers(headers)
        .user_agent("cargo-wasix")
        .build()?;

    let repo = RUST_REPO
        .trim_start_matches("https://github.com/")
        .trim_end_matches(".git");

    let postfix = if toolchain_spec.is_latest() {
        format!("{toolchain_spec}")
    } else {
        format!("tags/{toolchain_spec}")
    };

    let release_url = format!("https://api.github.com/repos/{repo}/releases/{postfix}");

    eprintln!("Finding {toolchain_spec} release... ({release_url})...");

    let release: GithubReleaseData = client
        .get(&release_url)
        .send()?
        .error_for_status()
        .context("Could not download release info")?
        .json()
        .context("Could not deserialize release info")?;

    // Try to find the asset for the wanted target triple.
    let rust_asset_name = format!("rust-toolchain-{target}.tar.gz");
    let rust_asset = release
        .assets
        .iter()
        .find(|asset| asset.name == rust_asset_name)
        .with_context(|| {
            format!(
                "Release {} does not have a prebuilt toolchain for host {}",
                release.tag_name, target
            )
        })?;

    let toolchain_dir = toolchains_root_dir.join(format!("{target}_{}", release.tag_name));
    if toolchain_dir.is_dir() {
        eprintln!(
            "Toolchain path {} already exists - deleting existing files!",
            toolchain_dir.display()
        );
        std::fs::remove_dir_all(&toolchain_dir)?;
    }

    // Download.
    eprintln!(
        "Downloading Rust toolchain from url '{}'...",
        &rust_asset.browser_download_url
    );
    let res = client
        .get(&rust_asset.browser_download_url)
        .send()?
        .error_for_status()?;

    let decoder = flate2::read::GzDecoder::new(res);
    let mut archive = tar::Archive::new(decoder);

    let rust_dir = toolchain_dir.join("rust");
    archive.unpack(&rust_dir)?;

    // Ensure permissions.
    #[cfg(target_family = "unix")]
    {
        use std::os::unix::fs::PermissionsExt;

        let iter1 = std::fs::read_dir(rust_dir.join("bin"))?;
        let iter2 = std::fs::read_dir(rust_dir.join(format!("lib/rustlib/{target}/bin")))?;

        // Make sure the binaries can be executed.
        for res in iter1.chain(iter2) {
            let entry = res?;
            if entry.file_type()?.is_file() {
                let mut perms = entry.metadata()?.permissions();
                perms.set_mode(0o755);
                std::fs::set_permissions(entry.path(), perms)?;
            }
        }
    }

    eprintln!("Downloaded toolchain {} to {}", target, rust_dir.display());

    Ok(toolchain_dir)
}
