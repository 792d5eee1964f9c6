// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-pgrx` 0.19.4
// (https://static.crates.io/crates/cargo-pgrx/cargo-pgrx-0.19.4.crate), file `src/command/install.rs`.
// Licence: MIT (see ../licences/cargo-pgrx-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
#[tracing::instrument(skip_all, fields(
    pg_version = %pg_config.version()?,
    profile = ?profile,
    test = is_test,
    base_directory = tracing::field::Empty,
    features = ?features.features,
))]
pub(crate) fn install_extension(
    user_manifest_path: Option<&Path>,
    user_package: Option<&str>,
    package_manifest_path: &Path,
    pg_config: &PgConfig,
    profile: &CargoProfile,
    is_test: bool,
    base_directory: Option<PathBuf>,
    features: &clap_cargo::Features,
    target: Option<&str>,
    target_dir: &Path,
    cargo_flags: &[String],
    prefix_directory: Option<PathBuf>,
) -> eyre::Result<Vec<PathBuf>> {
    let mut output_tracking = Vec::new();

    let manifest = Manifest::from_path(package_manifest_path)?;
    let (control_file, extname) = find_control_file(package_manifest_path)?;

    let versioned_so = get_property(package_manifest_path, "module_pathname")?.is_none();

    let build_manifest_path =
        manifest_path_for_build(user_manifest_path, user_package, package_manifest_path);
    let build_command_output =
        build_extension(build_manifest_path, user_package, profile, features, target, cargo_flags)?;
    let build_command_bytes = build_command_output.stdout;
    let build_command_reader = BufReader::new(build_command_bytes.as_slice());
    let build_command_stream = CargoMessage::parse_stream(build_command_reader);
    let build_command_messages =
        build_command_stream.collect::<Result<Vec<_>, std::io::Error>>()?;

    println!("{} extension", "  Installing".bold().green());
    let shlibpath = find_library_file(&manifest, package_manifest_path, &build_command_messages)?;

    let relative_extdir = if let Some(prefix_directory) = prefix_directory.as_ref() {
        make_relative_extdir(prefix_directory.to_path_buf())
    } else {
        make_relative_extdir(pg_config.extension_dir()?)
    };

    let relative_pkglibdir = if let Some(prefix_directory) = prefix_directory.as_ref() {
        make_relative_pkglibdir(prefix_directory.to_path_buf())
    } else {
        make_relative_pkglibdir(pg_config.pkglibdir()?)
    };

    let extdir = if let Some(base_directory) = base_directory.as_ref() {
        base_directory.join(relative_extdir)
    } else {
        pg_config.extension_dir()?
    };

    let pkglibdir = if let Some(base_directory) = base_directory.as_ref() {
        base_directory.join(relative_pkglibdir)
    } else {
        pg_config.pkglibdir()?
    };

    {
        let filename = control_file
            .file_name()
            .ok_or_else(|| eyre!("Could not get filename for `{}`", control_file.display()))?;
        let dest = extdir.join(filename);
        copy_file(
            &control_file,
            dest,
            "control file",
            true,
            package_manifest_path,
            &mut output_tracking,
            target_dir,
            cargo_flags,
        )?;
    }

    {
        let so_name = if versioned_so {
            let extver = get_version(package_manifest_path, cargo_flags)?;
            // note: versioned so-name format must agree with pgrx-utils
            format!("{extname}-{extver}")
        } else {
            extname.clone()
        };
        // Since Postgres 16, the shared library extension on macOS is `dylib`, not `so`.
        // Ref https://github.com/postgres/postgres/commit/b55f62abb2c2e07dfae99e19a2b3d7ca9e58dc1a
        let so_suffix = if cfg!(target_os = "macos") && pg_config.major_version().unwrap() < 16 {
            ".so"
        } else {
            std::env::consts::DLL_SUFFIX
        };
        let filename = format!("{so_name}{so_suffix}");

        let dest = pkglibdir.join(&filename);

        // Remove the existing shared libraries if present. This is a workaround for an
        // issue highlighted by the following apple documentation:
        // https://developer.apple.com/documentation/security/updating_mac_software
        //
        // for Linux, dlopen(2) will use mmap to load the .so.
        // if update the file in place, the modification will pass into the running
        // process which will mash up all pointers in the .TEXT segment.
        // this simulate linux's install(1) behavior
        if dest.exists() {
            fs::remove_file(&dest)
                .wrap_err_with(|| format!("unable to remove existing file {}", dest.display()))?;
        }

        copy_file(
            &shlibpath,
            dest,
            "shared library",
            false,
            package_manifest_path,
            &mut output_tracking,
            target_dir,
            cargo_flags,
        )?;
    }

    copy_sql_files(
        user_manifest_path,
        user_package,
        package_manifest_path,
        profile,
        is_test,
        features,
        target,
        target_dir,
        &extdir,
        true,
        &mut output_tracking,
        cargo_flags,
    )?;

    println!("{} installing {}", "    Finished".bold().green(), extname);
    Ok(output_tracking)
}

fn copy_file(
    src: &Path,
    dest: PathBuf,
    msg: &str,
    do_filter: bool,
    package_manifest_path: &Path,
    output_tracking: &mut Vec<PathBuf>,
    target_dir: &Path,
    cargo_flags: &[String],
) -> eyre::Result<()> {
    let Some(dest_dir) = dest.parent() else {
        // what fresh hell could ever cause such an error?
        eyre::bail!("no directory to copy to: {}", dest.display());
    };
    match dest_dir.try_exists() {
        Ok(false) => fs::create_dir_all(dest_dir).wrap_err_with(|| {
            format!("failed to create destination directory {}", dest_dir.display())
        })?,
        Ok(true) => (),
        Err(e) => Err(e).wrap_err_with(|| {
            format!("failed to access {}, is it write-enabled?", dest_dir.display())
        })?,
    };

    println!(
        "{} {} to {}",
        "     Copying".bold().green(),
        msg,
        format_display_path(&dest, target_dir).cyan()
    );

    if do_filter {
        // we want to filter the contents of the file we're to copy
        let input = fs::read_to_string(src)
            .wrap_err_with(|| format!("failed to read `{}`", src.display()))?;
        let input = filter_contents(package_manifest_path, input, cargo_flags)?;

        fs::write(&dest, input).wrap_err_with(|| {
            format!("failed writing `{}` to `{}`", src.display(), dest.display())
        })?;
    } else {
        fs::copy(src, &dest).wrap_err_with(|| {
            format!("failed copying `{}` to `{}`", src.display(), dest.display())
        })?;
    }

    output_tracking.push(dest);

    Ok(())
}
