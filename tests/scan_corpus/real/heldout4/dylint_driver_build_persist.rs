// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dylint` 6.3.2
// (https://static.crates.io/crates/dylint/dylint-6.3.2.crate), file `src/driver_builder.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/dylint-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
use std::{
    env::{consts, home_dir},
    fs::{copy, create_dir_all, rename, write},
    path::{Path, PathBuf},
};
use tempfile::{NamedTempFile, tempdir};

#[cfg_attr(dylint_lib = "supplementary", allow(commented_out_code))]
fn build(opts: &opts::Dylint, toolchain: &str, driver_dir: &Path) -> Result<()> {
    let tempdir = tempdir().with_context(|| "`tempdir` failed")?;
    let package = tempdir.path();

    initialize(toolchain, package)?;

    let metadata = dylint_internal::cargo::metadata(package)?;

    let toolchain_path = toolchain_path(package)?;

    // smoelius: The commented-out code was the old behavior. It would cause the driver to have
    // rpaths like `$ORIGIN/../../`... (see https://github.com/trailofbits/dylint/issues/54). The
    // new behavior causes the driver to have absolute rpaths.
    // let rustflags = "-C rpath=yes";
    let rustflags = format!(
        "{} -C link-args=-Wl,-rpath,{}/lib ",
        env::var("RUSTFLAGS").unwrap_or_default(),
        toolchain_path.to_string_lossy()
    );

    #[cfg(debug_assertions)]
    if DYLINT_DRIVER_MANIFEST_DIR.is_none() {
        warn(opts, "In debug mode building driver from `crates.io`");
    }

    dylint_internal::cargo::build(&format!("driver for toolchain `{toolchain}`"))
        .quiet(opts.quiet)
        .build()
        .sanitize_environment()
        .envs([(env::RUSTFLAGS, rustflags)])
        .current_dir(package)
        .success()?;

    let binary = metadata
        .target_directory
        .join("debug")
        .join(format!("dylint_driver-{toolchain}{}", consts::EXE_SUFFIX));

    let named_temp_file =
        NamedTempFile::new_in(driver_dir).with_context(|| "Could not create temporary file")?;

    #[cfg_attr(dylint_lib = "general", allow(non_thread_safe_call_in_test))]
    copy(&binary, &named_temp_file).with_context(|| {
        format!(
            "Could not copy `{binary}` to `{}`",
            named_temp_file.path().to_string_lossy()
        )
    })?;

    let driver = driver_dir.join("dylint-driver");

    // smoelius: Windows requires that the old file be moved out of the way first.
    if cfg!(target_os = "windows") {
        let temp_path = NamedTempFile::new_in(driver_dir)
            .map(NamedTempFile::into_temp_path)
            .with_context(|| "Could not create temporary file")?;
        rename(&driver, &temp_path).unwrap_or_default();
    }

    named_temp_file.persist(&driver)?;

    Ok(())
}
