// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/denoland/deno/issues/24759
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn upgrade_from_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("deno");
    let bytes = std::fs::read(env!("CARGO_BIN_EXE_deno")).unwrap();
    std::fs::write(&exe, &bytes).unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(&exe).arg("upgrade").arg("--dry-run").output().unwrap();
    assert!(out.status.success());
}
