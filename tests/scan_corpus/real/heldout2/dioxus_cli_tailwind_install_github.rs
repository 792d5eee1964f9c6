// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dioxus-cli` 0.7.10
// (https://static.crates.io/crates/dioxus-cli/dioxus-cli-0.7.10.crate), file `src/tailwind.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/dioxus-cli-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl TailwindCli {

    async fn install_github(&self) -> anyhow::Result<()> {
        tracing::debug!(
            "Attempting to install tailwindcss@{} from GitHub",
            self.version
        );

        let url = self.git_install_url().ok_or_else(|| {
            anyhow!(
                "no available GitHub binary for tailwindcss@{}",
                self.version
            )
        })?;

        // Get the final binary location.
        let binary_path = self.get_binary_path()?;

        // Download then extract tailwindcss.
        let bytes = reqwest::get(url).await?.bytes().await?;

        std::fs::create_dir_all(binary_path.parent().unwrap())
            .context("failed to create tailwindcss directory")?;

        std::fs::write(&binary_path, &bytes).context("failed to write tailwindcss binary")?;

        // Make the binary executable.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut perms = binary_path.metadata()?.permissions();
            perms.set_mode(0o755);
            std::fs::set_permissions(&binary_path, perms)?;
        }

        Ok(())
    }

}
