// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-deb` 3.8.0
// (https://static.crates.io/crates/cargo-deb/cargo-deb-3.8.0.crate), file `src/lib.rs`.
// Licence: MIT (see ../licences/cargo-deb-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
// TODO: deprecated, remove
#[cold]
fn back_compat_copy(path: &Path, package_deb: &PackageConfig, enable: bool) -> Option<()> {
    if !enable {
        return None;
    }
    let previous_path = path.parent()?.parent()?
        .join(package_deb.rust_target_triple.as_deref()?)
        .join("debian")
        .join(path.file_name()?);
    let _ = fs::create_dir_all(previous_path.parent()?);
    fs::hard_link(path, &previous_path)
        .or_else(|_| fs::copy(path, &previous_path).map(drop))
        .inspect_err(|e| log::warn!("can't copy {} to {}: {e}", path.display(), previous_path.display()))
        .ok()
}
