// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-ament-build` 0.1.11
// (https://static.crates.io/crates/cargo-ament-build/cargo-ament-build-0.1.11.crate), file `src/lib.rs`.
// Licence: Apache-2.0 (see ../licences/cargo-ament-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Copies files or directories recursively.
fn copy(src: impl AsRef<Path>, dest_dir: impl AsRef<Path>) -> Result<()> {
    let src = src.as_ref();
    let dest = dest_dir.as_ref().join(src.file_name().unwrap());
    if src.is_dir() {
        std::fs::create_dir_all(&dest)?;
        for entry in std::fs::read_dir(src)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                copy(entry.path(), &dest)?;
            } else {
                std::fs::copy(entry.path(), dest.join(entry.file_name()))?;
            }
        }
    } else if src.is_file() {
        std::fs::copy(&src, &dest).with_context(|| {
            format!(
                "Failed to copy '{}' to '{}'.",
                src.display(),
                dest.display()
            )
        })?;
    } else {
        bail!("File or dir '{}' does not exist", src.display())
    }
    Ok(())
}

/// Copy the source code of the package to the install space
///
/// Specifically, `${install_base}/share/${package}/rust`.
pub fn install_package(
    install_base: impl AsRef<Path>,
    package_path: impl AsRef<Path>,
    manifest_path: impl AsRef<Path>,
    package_name: &str,
    manifest: &Manifest,
) -> Result<()> {
    let manifest_path = manifest_path.as_ref();

    // Install source code
    // This is special-cased (and not simply added to the list of things to install below)
    let mut dest_dir = install_base.as_ref().to_owned();
    dest_dir.push("share");
    dest_dir.push(package_name);
    dest_dir.push("rust");
    if dest_dir.is_dir() {
        std::fs::remove_dir_all(&dest_dir)?;
    }
    DirBuilder::new().recursive(true).create(&dest_dir)?;
    // unwrap is ok since it has been validated in main
    let package = manifest.package.as_ref().unwrap();
    // The entry for the build script can be empty (in which case build.rs is implicitly used if it
    // exists), or a path, or false (in which case build.rs is not implicitly used).
    let build = match &package.build {
        Some(StringOrBool::Bool(false)) => None,
        Some(StringOrBool::String(path)) => Some(path.as_str()),
        Some(_) => bail!("Value of 'build' is not a string or boolean"),
        None => None,
    };
    if let Some(filename) = build {
        let src = package_path.as_ref().join(filename);
        copy(src, &dest_dir)?;
    }

    copy(package_path.as_ref().join("src"), &dest_dir)?;
    copy(manifest_path, &dest_dir)?;

    // unwrap is ok since we pushed to the path before
    copy(
        package_path.as_ref().join("package.xml"),
        dest_dir.parent().unwrap(),
    )?;

    // The lockfile may not exist in the case that the package is in a
    // Cargo workspace. The lockfile is alongside the top-level
    // virtual Cargo.toml.
    let lockfile_path = manifest_path.with_extension("lock");
    if lockfile_path.is_file() {
        copy(&lockfile_path, &dest_dir)?;
    }

    Ok(())
}
