// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/golang/go/issues/22315
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

pub fn install_helper(bin_dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let final_path = bin_dir.join("helper");
    let tmp = bin_dir.join(".helper.tmp");
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    f.set_permissions(fs::Permissions::from_mode(0o755))?;
    drop(f);
    fs::rename(&tmp, &final_path)?;
    let out = Command::new(&final_path).arg("--version").output()?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
