// Source: https://github.com/denoland/deno/blob/4cf30abf0360bd6a286f330ffb4fed04304a062e/cli/tools/upgrade.rs
// Commit: 4cf30abf0360bd6a286f330ffb4fed04304a062e
// Licence of the source: MIT
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::fs;
use std::path::Path;

fn replace_exe(new_exe: &Path, current_exe: &Path) -> Result<(), std::io::Error> {
    if cfg!(windows) {
        // On windows you cannot replace the currently running executable.
        fs::rename(current_exe, current_exe.with_extension("old.exe"))?;
    } else {
        fs::remove_file(current_exe)?;
    }
    // Cannot rename across devices: fall back to copy.
    fs::rename(new_exe, current_exe).or_else(|_| fs::copy(new_exe, current_exe).map(|_| ()))?;
    Ok(())
}

fn check_windows_access_denied_error(
    written: Result<(), std::io::Error>,
    exe_path: &Path,
) -> Result<(), anyhow::Error> {
    let Err(err) = written else {
        return Ok(());
    };
    if !cfg!(windows) {
        return Err(err.into());
    }
    const WIN_ERROR_ACCESS_DENIED: i32 = 5;
    if err.raw_os_error() != Some(WIN_ERROR_ACCESS_DENIED) {
        return Err(err.into());
    }
    Err(anyhow::anyhow!("could not write {}: is deno running?", exe_path.display()))
}
