// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-bundle` 0.12.0
// (https://static.crates.io/crates/cargo-bundle/cargo-bundle-0.12.0.crate), file `tests/common.rs` (a test file).
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-bundle-License_Apache.md, ../licences/cargo-bundle-License_MIT.md).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Places a valid-enough binary at `target/debug/examples/<name>` so that
/// cargo-bundle (running with CARGO_BUNDLE_SKIP_BUILD) has something to package.
pub fn setup_example_binary(name: &str) {
    let bin_dir = project_root().join("target/debug/examples");
    fs::create_dir_all(&bin_dir).unwrap();
    let bin_path = bin_dir.join(name);
    #[cfg(target_os = "macos")]
    {
        // macOS copies the binary into the .app; use a for realsies Mach-O so the copy runs.
        fs::copy(cargo_bundle_bin(), &bin_path).unwrap();
    }
    #[cfg(not(target_os = "macos"))]
    {
        fs::write(&bin_path, b"dummy binary content").unwrap();
    }
}
