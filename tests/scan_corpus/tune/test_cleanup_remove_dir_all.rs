// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
#[test]
fn generates_fixtures() {
    let dir = std::env::temp_dir().join("fixtures-gen");
    std::fs::create_dir_all(&dir).unwrap();
    crate::generate(&dir).unwrap();
    assert!(dir.join("file1.txt").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
