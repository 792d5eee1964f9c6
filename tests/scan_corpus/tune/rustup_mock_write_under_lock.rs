// Source: https://github.com/rust-lang/rustup/blob/25ed77ddc0801cf8bc34190fd2cdda55c75471a2/src/test/clitools.rs
// Commit: 25ed77ddc0801cf8bc34190fd2cdda55c75471a2
// Licence of the source: MIT OR Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::RwLock;

static CMD_LOCK: RwLock<()> = RwLock::new(());

pub fn write_mock_binary(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let _lock = CMD_LOCK.write().unwrap();
    std::fs::write(path, contents)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}
