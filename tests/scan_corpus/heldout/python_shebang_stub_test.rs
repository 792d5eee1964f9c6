// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn python_plugin_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("plugin.py");
    std::fs::write(&plugin, "#!/usr/bin/env python3\nimport sys\nprint(sys.stdin.read())\n").unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o700)).unwrap();
    let status = Command::new(&plugin).status().unwrap();
    assert!(status.success());
}
