// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `proto_core` 0.63.3
// (https://static.crates.io/crates/proto_core/proto_core-0.63.3.crate), file `src/layout/store.rs`.
// Licence: MIT (see ../licences/proto_core-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Store {

    #[instrument(skip(self))]
    pub fn link_bin(&self, bin_path: &Path, src_path: &Path) -> Result<(), ProtoLayoutError> {
        // Windows requires admin privileges to create soft/hard links,
        // so just copy the binary... annoying...
        #[cfg(windows)]
        {
            fs::reflink_file(src_path, bin_path)?;
        }

        #[cfg(unix)]
        {
            use starbase_utils::fs::FsError;

            std::os::unix::fs::symlink(src_path, bin_path).map_err(|error| {
                ProtoLayoutError::Fs(Box::new(FsError::Create {
                    path: src_path.to_path_buf(),
                    error: Box::new(error),
                }))
            })?;
        }

        Ok(())
    }

    #[instrument(skip(self))]
    pub fn unlink_bin(&self, bin_path: &Path) -> Result<(), ProtoLayoutError> {
        // Remove any file at this path, whether a symlink or not!
        if bin_path.is_symlink() {
            fs::remove_link(bin_path)?;
        } else if bin_path.is_file() {
            fs::remove_file(bin_path)?;
        }

        Ok(())
    }

}
