// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-wix` 0.3.9
// (https://static.crates.io/crates/cargo-wix/cargo-wix-0.3.9.crate), file `src/purge.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/cargo-wix-LICENSE-APACHE, ../licences/cargo-wix-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Execution {
    /// Removes all WiX Toolset-related files and folders, including files and
    /// folders created with the `cargo wix` subcommand, from a package.
    ///
    /// Use with caution! This cannot be undone.
    pub fn run(self) -> Result<()> {
        debug!("input = {:?}", self.input);
        let mut cleaner = clean::Builder::new();
        cleaner.input(self.input.as_ref().and_then(|p| p.to_str()));
        cleaner.build().run()?;
        let wix = self.wix()?;
        debug!("wix = {:?}", wix);
        if wix.exists() {
            trace!("The 'wix' folder exists");
            warn!("Removing the 'wix' folder");
            fs::remove_dir_all(wix)?;
        } else {
            trace!("The 'wix' folder does not exist");
            info!("Nothing to purge");
        }
        Ok(())
    }

}
