// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-wix` 0.3.9
// (https://static.crates.io/crates/cargo-wix/cargo-wix-0.3.9.crate), file `src/clean.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/cargo-wix-LICENSE-APACHE, ../licences/cargo-wix-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Execution {
    /// Removes WiX Toolset-related output from the package's `target` folder.
    ///
    /// This is similar to the `cargo clean` subcommand.
    pub fn run(self) -> Result<()> {
        debug!("input = {:?}", self.input);
        let manifest = super::manifest(self.input.as_ref())?;
        debug!("target_directory = {:?}", manifest.target_directory);
        let target_wix = self.target_wix(manifest.target_directory.as_std_path());
        debug!("target_wix = {:?}", target_wix);
        if target_wix.exists() {
            trace!("The 'target\\wix' folder exists");
            warn!("Removing the 'target\\wix' folder");
            fs::remove_dir_all(target_wix)?;
        } else {
            trace!("The 'target\\wix' folder does not exist");
            info!("Nothing to clean");
        }
        Ok(())
    }

}
