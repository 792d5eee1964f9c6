// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
#[test]
fn detects_shell_language_from_shebang() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deploy");
    std::fs::write(&file, "#!/bin/bash\nset -euo pipefail\n").unwrap();
    let lang = crate::detect_language(&file).unwrap();
    assert_eq!(lang, "bash");
}
