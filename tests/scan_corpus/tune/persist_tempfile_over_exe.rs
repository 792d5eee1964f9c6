// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub fn install_binary(bytes: &[u8], dst: &Path) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dst.parent().unwrap())?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o755))?;
    tmp.persist(dst).map_err(|e| e.error)?;
    Ok(())
}
