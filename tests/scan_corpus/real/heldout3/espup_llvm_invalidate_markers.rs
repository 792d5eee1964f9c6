// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `espup` 0.19.0
// (https://static.crates.io/crates/espup/espup-0.19.0.crate), file `src/toolchain/llvm.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/espup-LICENSE-APACHE, ../licences/espup-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Llvm {
    #[cfg(unix)]
    fn installation_marker(&self) -> PathBuf {
        self.path.join(if self.extended {
            ".espup-installed-extended"
        } else {
            ".espup-installed"
        })
    }

    #[cfg(unix)]
    fn invalidate_installation_markers(&self) -> Result<(), Error> {
        for marker in [
            self.path.join(".espup-installed"),
            self.path.join(".espup-installed-extended"),
        ] {
            match fs::symlink_metadata(&marker) {
                Ok(metadata) if metadata.is_dir() && !metadata.file_type().is_symlink() => {
                    fs::remove_dir_all(marker)?;
                }
                Ok(_) => fs::remove_file(marker)?,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }

}
