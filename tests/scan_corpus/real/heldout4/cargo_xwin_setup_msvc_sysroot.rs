// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-xwin` 0.23.1
// (https://static.crates.io/crates/cargo-xwin/cargo-xwin-0.23.1.crate), file `src/compiler/clang.rs`.
// Licence: MIT (see ../licences/cargo-xwin-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use fs_err as fs;

impl Clang {
    ///
    /// If the sysroot is already downloaded and unpacked, it will be reused.
    /// The sysroot will be stored in `<cache_dir>/windows-msvc-sysroot`.
    /// A file named `DONE` will be created in the same directory with the
    /// download URL as its content.
    ///
    /// The environment variable `XWIN_MSVC_SYSROOT_DOWNLOAD_URL` can be used
    /// to override the download URL.
    pub fn setup_msvc_sysroot(&self, cache_dir: PathBuf) -> Result<PathBuf> {
        let msvc_sysroot_dir = cache_dir.join(MSVC_SYSROOT_DIR);
        let done_mark_file = msvc_sysroot_dir.join("DONE");
        if msvc_sysroot_dir.is_dir() {
            if done_mark_file.is_file() {
                // Already downloaded and unpacked
                return Ok(self.resolve_cached_msvc_sysroot(&msvc_sysroot_dir));
            } else {
                // Download again
                fs::remove_dir_all(&msvc_sysroot_dir)
                    .context("Failed to remove existing msvc sysroot")?;
            }
        }

        let agent = http_agent()?;
        // fetch release info to get download url
        let download_url = self
            .get_latest_msvc_sysroot_download_url(agent.clone())
            .unwrap_or_else(|_| FALLBACK_DOWNLOAD_URL.to_string());
        self.download_msvc_sysroot(&msvc_sysroot_dir, agent, &download_url)
            .context("Failed to unpack msvc sysroot")?;
        fs::write(done_mark_file, download_url)?;
        Ok(self.resolve_cached_msvc_sysroot(&msvc_sysroot_dir))
    }
}
