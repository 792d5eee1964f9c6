// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
#[test]
fn env_script_has_posix_shebang() {
    let text = crate::render_env_script("/home/u/.cargo");
    assert!(text.starts_with("#!/bin/sh\n"));
    assert!(text.contains("export PATH"));
}
