// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const HOOK: &str = "#!/bin/sh\nexec my-tool check --staged\n";

pub fn install_pre_commit(git_dir: &Path) -> std::io::Result<()> {
    let hook = git_dir.join("hooks").join("pre-commit");
    std::fs::write(&hook, HOOK)?;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    let status = Command::new(&hook).env("MY_TOOL_DRY_RUN", "1").status()?;
    if !status.success() {
        eprintln!("warning: the installed hook failed its dry run");
    }
    Ok(())
}
