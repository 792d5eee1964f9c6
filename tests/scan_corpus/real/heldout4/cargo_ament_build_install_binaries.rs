// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-ament-build` 0.1.11
// (https://static.crates.io/crates/cargo-ament-build/cargo-ament-build-0.1.11.crate), file `src/lib.rs`.
// Licence: Apache-2.0 (see ../licences/cargo-ament-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Copy the binaries to a location where they will be found by ROS 2 tools (the lib dir)
pub fn install_binaries(
    install_base: impl AsRef<Path>,
    build_base: impl AsRef<Path>,
    package_name: &str,
    profile: &str,
    arch: Option<&str>,
    features: &HashSet<String>,
    binaries: &[Product],
) -> Result<()> {
    let src_dir = if let Some(arch) = arch {
        build_base.as_ref().join(arch).join(profile)
    } else {
        build_base.as_ref().join(profile)
    };

    let dest_dir = install_base.as_ref().join("lib").join(package_name);
    if dest_dir.is_dir() {
        std::fs::remove_dir_all(&dest_dir)?;
    }
    // Copy binaries
    for binary in binaries {
        let missing_feature = binary
            .required_features
            .iter()
            .any(|feature| !features.contains(feature));
        if missing_feature {
            // The build directory will not contain this binary because one of
            // its required features is missing. We should skip our attempt to
            // install it.
            continue;
        }

        let name = binary
            .name
            .as_ref()
            .ok_or(anyhow!("Binary without name found"))?;
        let src = src_dir.join(name);
        let dest = dest_dir.join(name);
        #[cfg(target_os = "windows")]
        let dest = dest.with_extension("exe");
        #[cfg(target_os = "windows")]
        let src = src.with_extension("exe");
        // Create destination directory
        DirBuilder::new().recursive(true).create(&dest_dir)?;
        std::fs::copy(&src, &dest)
            .context(format!("Failed to copy binary from '{}'", src.display()))?;
    }
    // If there is a shared or static library, copy it too
    // See https://doc.rust-lang.org/reference/linkage.html for an explanation of suffixes
    let prefix_suffix_combinations = [
        ("lib", "so"),
        ("lib", "dylib"),
        ("lib", "a"),
        ("", "dll"),
        ("", "lib"),
    ];
    for (prefix, suffix) in prefix_suffix_combinations {
        let filename = String::from(prefix) + package_name + "." + suffix;
        let src = src_dir.join(&filename);
        let dest = dest_dir.join(filename);
        if src.is_file() {
            // Create destination directory
            DirBuilder::new().recursive(true).create(&dest_dir)?;
            std::fs::copy(&src, &dest)
                .context(format!("Failed to copy library from '{}'", src.display()))?;
        }
    }
    Ok(())
}
