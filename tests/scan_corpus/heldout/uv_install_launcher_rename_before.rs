// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/astral-sh/uv/pull/9543
use std::io::Write;
use std::path::Path;

#[cfg(windows)]
pub fn write_script_launcher(scripts_dir: &Path, name: &str, launcher: &[u8]) -> std::io::Result<()> {
    let target = scripts_dir.join(format!("{name}.exe"));
    let mut temp = tempfile::NamedTempFile::new_in(scripts_dir)?;
    temp.write_all(launcher)?;
    let temp_path = temp.into_temp_path().keep().map_err(|e| e.error)?;
    fs_err::rename(&temp_path, &target)?;
    Ok(())
}
