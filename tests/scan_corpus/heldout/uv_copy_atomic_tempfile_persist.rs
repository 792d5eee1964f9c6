// Source: https://github.com/astral-sh/uv/blob/206b136f133e21d20d8439dd1efd7a89c0b9102e/crates/uv-fs/src/lib.rs
// Commit: 206b136f133e21d20d8439dd1efd7a89c0b9102e
// Licence of the source: MIT OR Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::path::Path;
use tempfile::NamedTempFile;

fn tempfile_in(dir: &Path) -> std::io::Result<NamedTempFile> {
    tempfile::Builder::new().tempfile_in(dir)
}

pub fn copy_atomic_sync(from: impl AsRef<Path>, to: impl AsRef<Path>) -> std::io::Result<()> {
    let temp_file = tempfile_in(to.as_ref().parent().expect("Write path must have a parent"))?;
    fs_err::copy(from.as_ref(), temp_file.path())?;
    temp_file.persist(to.as_ref()).map_err(|e| e.error)?;
    Ok(())
}
