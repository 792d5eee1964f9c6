// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `nextest-runner` 0.129.0
// (https://static.crates.io/crates/nextest-runner/nextest-runner-0.129.0.crate), file `src/update.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/nextest-runner-LICENSE-APACHE, ../licences/nextest-runner-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl<'a> Move<'a> {

    /// Move source file to specified destination
    pub fn to_dest(&self, dest: &Utf8Path) -> Result<(), UpdateError> {
        match self.temp {
            None => Self::fs_rename(self.source, dest),
            Some(temp) => {
                if dest.exists() {
                    // Move the existing dest to a temp location so we can move it
                    // back it there's an error. If the existing `dest` file is a
                    // long running program, this may prevent the temp dir from
                    // being cleaned up.
                    Self::fs_rename(dest, temp)?;
                    if let Err(e) = Self::fs_rename(self.source, dest) {
                        Self::fs_rename(temp, dest)?;
                        return Err(e);
                    }
                } else {
                    Self::fs_rename(self.source, dest)?;
                }
                Ok(())
            }
        }
    }

    fn fs_rename(source: &Utf8Path, dest: &Utf8Path) -> Result<(), UpdateError> {
        fs::rename(source, dest).map_err(|error| UpdateError::FsRename {
            source: source.to_owned(),
            dest: dest.to_owned(),
            error,
        })
    }
}
