// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/mozilla/sccache
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct DiskCache {
    root: PathBuf,
}

impl DiskCache {
    pub fn insert(&self, key: &str, compiled_object: &Path) -> std::io::Result<()> {
        let data = std::fs::read(compiled_object)?;
        let tmp = self.root.join(format!("{key}.tmp"));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&data)?;
        drop(f);
        std::fs::rename(&tmp, self.root.join(key))?;
        std::fs::remove_file(compiled_object)?;
        Ok(())
    }
}
