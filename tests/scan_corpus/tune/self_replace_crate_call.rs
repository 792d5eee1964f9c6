// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/mitsuhiko/self-replace
pub fn apply_update(new_bytes: &[u8]) -> std::io::Result<()> {
    let tmp = tempfile::tempdir()?;
    let new_exe = tmp.path().join("new-exe");
    std::fs::write(&new_exe, new_bytes)?;
    self_replace::self_replace(&new_exe)?;
    Ok(())
}
