// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-xbuild` 0.6.6
// (https://static.crates.io/crates/cargo-xbuild/cargo-xbuild-0.6.6.crate), file `src/flock.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-xbuild-LICENSE-APACHE, ../licences/cargo-xbuild-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
use std::fs::{File, OpenOptions};
use std::path::{Display, Path, PathBuf};
use std::{fs, io};

impl FileLock {
    pub fn parent(&self) -> &Path {
        self.path.parent().unwrap()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn remove_siblings(&self) -> io::Result<()> {
        let path = self.path();
        for entry in path.parent().unwrap().read_dir()? {
            let entry = entry?;
            if Some(&entry.file_name()[..]) == path.file_name() {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                fs::remove_dir_all(entry.path())?;
            } else {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }
}
