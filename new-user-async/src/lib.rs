//! A build store for a dev server: finished builds are saved under a key
//! (written to a temp file, then renamed into place) and loaded back.
//!
//! Written against `tokio::fs`; its fs is now flakeproof's tokio mirror, a
//! change of `use`, so tests can put fault plans on it.

use std::io;
use std::path::{Path, PathBuf};

use flakeproof::fs::tokio as fs;

/// Builds saved under keys in one directory.
#[derive(Clone, Debug)]
pub struct BuildStore {
    dir: PathBuf,
}

impl BuildStore {
    /// A store in `dir`, created if missing.
    pub async fn open(dir: impl AsRef<Path>) -> io::Result<BuildStore> {
        let dir = dir.as_ref().to_owned();
        fs::create_dir_all(&dir).await?;
        Ok(BuildStore { dir })
    }

    /// Save `bytes` as `key`: a reader sees the old build or the new one.
    pub async fn save(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let tmp = self.dir.join(format!(".{key}.tmp"));
        fs::write(&tmp, bytes).await?;
        fs::rename(&tmp, self.dir.join(key)).await
    }

    /// The build saved as `key`.
    pub async fn load(&self, key: &str) -> io::Result<Vec<u8>> {
        fs::read(self.dir.join(key)).await
    }
}
