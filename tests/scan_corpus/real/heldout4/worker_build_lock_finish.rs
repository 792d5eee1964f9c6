// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `worker-build` 0.8.7
// (https://static.crates.io/crates/worker-build/worker-build-0.8.7.crate), file `src/build_lock.rs`.
// Licence: Apache-2.0 (see ../licences/worker-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl BuildLock {

    /// Finish the build: stop heartbeat, move entries from `.tmp/` into the
    /// parent `build/` directory, and remove `.tmp/`.
    pub fn finish(mut self) -> Result<()> {
        // Stop heartbeat
        self.stop_heartbeat();

        // Move each entry from .tmp/ into out_dir/
        for entry in fs::read_dir(&self.tmp_dir).with_context(|| {
            format!(
                "Failed to read staging directory {}",
                self.tmp_dir.display()
            )
        })? {
            let entry = entry?;
            let name = entry.file_name();
            let dest = self.out_dir.join(&name);

            // Remove existing entry at destination
            if dest.is_dir() {
                if let Err(e) = fs::remove_dir_all(&dest) {
                    warn!(
                        "Failed to remove existing directory {}: {e}",
                        dest.display()
                    );
                }
            } else if dest.exists() {
                if let Err(e) = fs::remove_file(&dest) {
                    warn!("Failed to remove existing file {}: {e}", dest.display());
                }
            }

            fs::rename(entry.path(), &dest).with_context(|| {
                format!(
                    "Failed to move {} from staging to output",
                    name.to_string_lossy()
                )
            })?;
        }

        // Remove the now-empty .tmp directory
        if let Err(e) = fs::remove_dir(&self.tmp_dir) {
            warn!("Failed to remove .tmp staging directory: {e}");
        }

        Ok(())
    }

}
