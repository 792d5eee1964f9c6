// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-bundle` 0.12.0
// (https://static.crates.io/crates/cargo-bundle/cargo-bundle-0.12.0.crate), file `src/bundle/signing.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-bundle-License_Apache.md, ../licences/cargo-bundle-License_MIT.md).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Sign a Windows executable or installer when configured.
///
/// The implementation is deliberately feature-gated: the vendored
/// osslsigncode implementation is GPL-3.0-or-later.
pub fn sign_windows_artifact(settings: &Settings, artifact_path: &Path) -> crate::Result<()> {
    let Some(config) = settings.windows_signing() else {
        return Ok(());
    };

    #[cfg(not(feature = "windows-signing"))]
    {
        let _ = (artifact_path, config);
        anyhow::bail!(
            "Windows Authenticode signing was requested, but cargo-bundle was built without \
             the `windows-signing` feature. Rebuild it with `--features windows-signing`; \
             that feature links GPL-3.0-or-later code."
        );
    }

    #[cfg(feature = "windows-signing")]
    {
        use osslsigncode::{Credential, Digest, Secret, Timestamp, Unsigned};

        let secret = match &config.certificate_password_env {
            Some(variable) => Secret::value(std::env::var(variable).with_context(|| {
                format!(
                    "Windows signing certificate password environment variable `{variable}` is not set"
                )
            })?),
            None => Secret::Prompt,
        };
        let credential = Credential::pkcs12(&config.certificate_path, secret);
        let parent = artifact_path.parent().ok_or_else(|| {
            anyhow::anyhow!("Windows signing artifact has no parent directory: {artifact_path:?}")
        })?;
        let temporary_directory = tempfile::tempdir_in(parent)
            .with_context(|| "Failed to create temporary directory for Windows signing")?;
        let output_path = temporary_directory.path().join(
            artifact_path
                .file_name()
                .ok_or_else(|| anyhow::anyhow!("Windows signing artifact has no file name"))?,
        );

        let mut signing_job = Unsigned::open(artifact_path)
            .map_err(|error| {
                anyhow::anyhow!("Failed to open Windows artifact for signing: {error}")
            })?
            .sign(credential)
            .digest(Digest::Sha256);
        if let Some(timestamp_url) = &config.timestamp_url {
            signing_job = signing_job.timestamp(Timestamp::rfc3161(timestamp_url));
        }
        signing_job
            .output(&output_path)
            .sign()
            .map_err(|error| anyhow::anyhow!("Windows Authenticode signing failed: {error}"))?;

        std::fs::copy(&output_path, artifact_path).with_context(|| {
            format!(
                "Failed to replace unsigned Windows artifact {artifact_path:?} with its signed copy"
            )
        })?;
        Ok(())
    }
}
