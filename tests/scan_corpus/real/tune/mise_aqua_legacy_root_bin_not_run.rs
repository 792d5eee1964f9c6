// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `mise` 2026.10.25
// (https://static.crates.io/crates/mise/mise-2026.10.25.crate), file `src/backend/aqua/tests.rs`.
// Licence: MIT (see ../licences/mise-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use super::*;

#[test]
fn detects_legacy_root_binary_layout() {
    let temp = tempfile::tempdir().unwrap();
    let ba = BackendArg::from("codex");
    let unrelated = temp
        .path()
        .join(format!("node{}", std::env::consts::EXE_SUFFIX));
    file::write(&unrelated, "unrelated binary").unwrap();
    file::make_executable(&unrelated).unwrap();
    assert!(!AquaBackend::has_legacy_root_bin(&ba, temp.path()));

    let codex = temp
        .path()
        .join(format!("codex{}", std::env::consts::EXE_SUFFIX));
    file::write(&codex, "codex binary").unwrap();
    file::make_executable(&codex).unwrap();
    assert!(AquaBackend::has_legacy_root_bin(&ba, temp.path()));
}
