// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/50962
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let target_debug = out.ancestors().nth(3).unwrap().to_path_buf();
    let helper = PathBuf::from("vendor/bin/helper");
    std::fs::copy(&helper, target_debug.join("helper")).unwrap();
    println!("cargo:rerun-if-changed=vendor/bin/helper");
}
