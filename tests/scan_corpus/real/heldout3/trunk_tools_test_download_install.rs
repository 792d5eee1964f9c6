// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trunk` 0.22.1
// (https://static.crates.io/crates/trunk/trunk-0.22.1.crate), file `src/tools.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/trunk-LICENSE-APACHE, ../licences/trunk-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use anyhow::ensure;

    use super::*;

    #[cfg(any(target_os = "windows", target_os = "macos", target_os = "linux"))]
    #[tokio::test]
    async fn download_and_install_binaries() -> Result<()> {
        let dir = tempfile::tempdir().context("error creating temporary dir")?;

        for &app in &[
            Application::Sass,
            Application::WasmBindgen,
            Application::WasmOpt,
            Application::TailwindCss,
            Application::TailwindCssExtra,
        ] {
            let path = download(app, app.default_version(), &HttpClientOptions::default())
                .await
                .with_context(|| format!("error downloading app: {app}"))?;
            let file = File::open(&path)
                .await
                .with_context(|| format!("error opening file: {app}"))?;
            install(app, file, dir.path().to_owned())
                .await
                .with_context(|| format!("error installing app: {app}"))?;
            std::fs::remove_file(path).with_context(|| format!("error during cleanup: {app}"))?;
        }
        Ok(())
    }

}
