// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-bundle` 0.12.0
// (https://static.crates.io/crates/cargo-bundle/cargo-bundle-0.12.0.crate), file `src/bundle/windows/exe_bundle.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-bundle-License_Apache.md, ../licences/cargo-bundle-License_MIT.md).
// excerpt: unrelated items removed; every kept line is verbatim.
pub fn bundle_project(settings: &Settings) -> crate::Result<Vec<PathBuf>> {
    let exe_name = windows_executable_name(settings.binary_name());
    common::print_bundling(&exe_name)?;

    let base_dir = settings.project_out_directory().join("bundle/exe");
    fs::create_dir_all(&base_dir)
        .with_context(|| format!("Failed to create output directory {base_dir:?}"))?;

    let output_exe = base_dir.join(&exe_name);
    fs::copy(settings.binary_path(), &output_exe)
        .with_context(|| format!("Failed to copy executable to {output_exe:?}"))?;

    let svg_icon_path = settings
        .icon_files()
        .filter_map(|icon_path_result| icon_path_result.ok())
        .find(|path| path.extension() == Some(OsStr::new("svg")));

    embed_resources(settings, &output_exe, svg_icon_path.as_deref())?;
    signing::sign_windows_artifact(settings, &output_exe)?;

    Ok(vec![output_exe])
}
