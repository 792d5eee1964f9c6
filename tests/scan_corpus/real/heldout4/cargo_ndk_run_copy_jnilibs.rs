// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-ndk` 4.1.2
// (https://static.crates.io/crates/cargo-ndk/cargo-ndk-4.1.2.crate), file `src/cli/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-ndk-LICENSE-APACHE, ../licences/cargo-ndk-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
pub fn run(args: Vec<String>) -> anyhow::Result<()> {
    // Check for help/version before parsing to avoid required arg errors
    let (mut shell, args) = init(args)?;

    let args = match parse_mixed_args::<BuildArgs>(args) {
        Ok(args) => args,
        Err(e) => {
            shell.error(e)?;
            std::process::exit(2);
        }
    };

    if args.cargo_args.is_empty() {
        shell.error("No args found to pass to cargo!")?;
        shell.note("You still need to specify build arguments to cargo to achieve anything. :)")?;
        std::process::exit(1);
    }

    let metadata = match MetadataCommand::new().no_deps().exec() {
        Ok(v) => v,
        Err(e) => {
            shell.error("Failed to load Cargo.toml in current directory.")?;
            shell.error(e)?;
            std::process::exit(1);
        }
    };

    let out_dir = metadata.target_directory;

    // We used to check for NDK_HOME, so we'll keep doing that. But we'll also try ANDROID_NDK_HOME
    // and $ANDROID_SDK_HOME/ndk as this is how Android Studio configures the world
    let (ndk_home, ndk_detection_method) = match derive_ndk_path(&mut shell) {
        Some((path, method)) => (path, method),
        None => {
            shell.error("Could not find any NDK.")?;
            shell.note(
                "Set the environment ANDROID_NDK_HOME to your NDK installation's root directory,\nor install the NDK using Android Studio."
            )?;
            std::process::exit(1);
        }
    };

    let ndk_version = match derive_ndk_version(&ndk_home) {
        Ok(v) => v,
        Err(e) => {
            shell.error(format!(
                "Error detecting NDK version for path {}",
                ndk_home.display()
            ))?;
            shell.error(e)?;
            std::process::exit(1);
        }
    };

    shell.verbose(|shell| {
        shell.status_with_color(
            "Detected",
            format!(
                "NDK v{} ({}) [{}]",
                ndk_version,
                ndk_home.display(),
                ndk_detection_method
            ),
            termcolor::Color::Cyan,
        )
    })?;

    let working_dir = std::env::current_dir().expect("current directory could not be resolved");

    // Attempt to smartly determine exactly what package is being worked with. The following is the manifest priority:
    //
    // 1. --manifest-path in the command-line arguments
    // 2. The manifest path of the package specified with `-p` for cargo.
    // 3. The manifest path in the current working dir
    let cargo_args = &args.cargo_args;
    let cargo_manifest = args
        .manifest_path
        .or_else(|| {
            if let Some(selected_package) = cargo_args
                .iter()
                .position(|arg| arg == "-p" || arg == "--package")
                .and_then(|idx| cargo_args.get(idx + 1))
            {
                let selected_package = metadata
                    .packages
                    .iter()
                    .find(|p| p.name.as_str() == selected_package)
                    .unwrap_or_else(|| panic!("unknown package: {selected_package}"));

                Some(selected_package.manifest_path.as_std_path().to_path_buf())
            } else {
                None
            }
        })
        .unwrap_or_else(|| working_dir.join("Cargo.toml"));

    let cmake_toolchain_path = ndk_home
        .join("build")
        .join("cmake")
        .join("android.toolchain.cmake");

    shell.very_verbose(|shell| {
        shell.status_with_color(
            "Exporting",
            format!("CARGO_NDK_CMAKE_TOOLCHAIN_PATH={:?}", &cmake_toolchain_path),
            termcolor::Color::Cyan,
        )
    })?;
    unsafe {
        std::env::set_var("CARGO_NDK_CMAKE_TOOLCHAIN_PATH", cmake_toolchain_path);
    }

    let platform = args.platform;

    // Try command line, then config. Config falls back to defaults in any case.
    let targets = if !args.target.is_empty() {
        args.target
    } else {
        default_targets().to_vec()
    };

    if let Some(output_dir) = args.output_dir.as_ref() {
        if let Err(e) = fs::create_dir_all(output_dir) {
            shell.error(format!("failed to create output dir, {e}"))?;
            std::process::exit(1);
        }

        // Canonicalize because path is shared with build scripts that can run in a different current_dir.
        let output_dir = match dunce::canonicalize(output_dir) {
            Ok(p) => p,
            Err(e) => {
                shell.error(format!("failed to canonicalize output dir, {e}"))?;
                if out_dir.is_absolute() {
                    output_dir.clone()
                } else {
                    std::process::exit(1)
                }
            }
        };

        shell.verbose(|shell| {
            shell.status_with_color(
                "Exporting",
                format!("CARGO_NDK_OUTPUT_PATH={output_dir:?}"),
                termcolor::Color::Cyan,
            )
        })?;

        unsafe {
            std::env::set_var("CARGO_NDK_OUTPUT_PATH", output_dir);
        }
    }

    shell.verbose(|shell| {
        shell.status_with_color(
            "Setting",
            format!("Android SDK platform level to {platform}"),
            termcolor::Color::Cyan,
        )
    })?;

    unsafe {
        std::env::set_var("CARGO_NDK_ANDROID_PLATFORM", platform.to_string());
    }

    shell.verbose(|shell| {
        shell.status_with_color(
            "Building",
            format!(
                "targets ({})",
                targets
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            termcolor::Color::Cyan,
        )
    })?;

    let start_time = Instant::now();

    let targets = targets
        .into_iter()
        .map(|target| {
            let triple = target.triple();
            shell.status("Building", format!("{} ({})", &target, &triple))?;

            shell.very_verbose(|shell| {
                shell.status_with_color(
                    "Exporting",
                    format!("CARGO_NDK_ANDROID_PLATFORM={:?}", &target.to_string()),
                    termcolor::Color::Cyan,
                )
            })?;
            unsafe {
                std::env::set_var("CARGO_NDK_ANDROID_PLATFORM", target.to_string());
            }

            // Set ANDROID_PLATFORM (API level)
            shell.very_verbose(|shell| {
                shell.status_with_color(
                    "Exporting",
                    format!("ANDROID_PLATFORM={platform}"),
                    termcolor::Color::Cyan,
                )
            })?;
            unsafe {
                std::env::set_var("ANDROID_PLATFORM", platform.to_string());
            }

            // Set ANDROID_ABI using the Android-specific target name
            let android_abi = target.to_string();
            shell.very_verbose(|shell| {
                shell.status_with_color(
                    "Exporting",
                    format!("ANDROID_ABI={:?}", &android_abi),
                    termcolor::Color::Cyan,
                )
            })?;
            unsafe {
                std::env::set_var("ANDROID_ABI", android_abi);
            }

            let (status, artifacts) = crate::cargo::run(
                &mut shell,
                &working_dir,
                &ndk_home,
                &ndk_version,
                triple,
                platform,
                args.link_builtins,
                args.link_libcxx_shared,
                &args.cargo_args,
                &cargo_manifest,
            )?;
            let code = status.code().unwrap_or(-1);

            if code != 0 {
                shell.note(
                    "If the build failed due to a missing target, you can run this command:",
                )?;
                shell.note("")?;
                shell.note(format!("    rustup target install {triple}"))?;
                std::process::exit(code);
            }

            Ok((target, artifacts))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;

    if let Some(output_dir) = args.output_dir.as_ref() {
        shell.concise(|shell| {
            shell.status(
                "Copying",
                format!(
                    "libraries to {}",
                    dunce::canonicalize(output_dir).unwrap().display()
                ),
            )
        })?;

        for (target, artifacts) in targets.iter() {
            shell.very_verbose(|shell| {
                shell.note(format!("artifacts for {target}: {artifacts:?}"))
            })?;

            let arch_output_dir = output_dir.join(target.to_string());
            fs::create_dir_all(&arch_output_dir).unwrap();

            if artifacts.is_empty() || !artifacts.iter().any(artifact_is_cdylib) {
                shell.error("No usable artifacts produced by cargo")?;
                shell.error("Did you set the crate-type in Cargo.toml to include 'cdylib'?")?;
                shell.error("For more info, see <https://doc.rust-lang.org/cargo/reference/cargo-targets.html#library>.")?;
                std::process::exit(1);
            }

            if args.link_libcxx_shared {
                let cargo_ndk_sysroot_path = ndk_home.join(sysroot_suffix(ARCH));
                let cargo_ndk_sysroot_target = sysroot_target(target.triple());
                let cargo_ndk_sysroot_libs_path = cargo_ndk_sysroot_path
                    .join("usr")
                    .join("lib")
                    .join(cargo_ndk_sysroot_target);
                let dest = arch_output_dir.join("libc++_shared.so");

                if is_fresh(&cargo_ndk_sysroot_libs_path, &dest)? {
                    shell.verbose(|shell| shell.status("Fresh", "libc++_shared.so"))?;
                } else {
                    shell.verbose(|shell| {
                        shell.status(
                            "Copying",
                            format!("libc++_shared.so -> {}", &dest.display()),
                        )
                    })?;

                    fs::copy(cargo_ndk_sysroot_libs_path.join("libc++_shared.so"), &dest)
                        .with_context(|| {
                            format!(
                                "failed to copy libc++_shared.so from {} to {}",
                                cargo_ndk_sysroot_libs_path.display(),
                                output_dir.display()
                            )
                        })?;
                }
            }

            for artifact in artifacts.iter().filter(|a| artifact_is_cdylib(a)) {
                let Some(file) = artifact
                    .filenames
                    .iter()
                    .find(|name| name.extension() == Some("so"))
                else {
                    // This should never happen because we filter for cdylib outputs above but you
                    // never know... and it still feels better than just unwrapping
                    shell.error("No cdylib file found to copy")?;
                    std::process::exit(1);
                };

                let dest = arch_output_dir.join(file.file_name().unwrap());

                if is_fresh(file.as_std_path(), &dest)? {
                    shell.verbose(|shell| shell.status("Fresh", file))?;
                    continue;
                }

                shell.verbose(|shell| {
                    shell.status("Copying", format!("{file} -> {}", &dest.display()))
                })?;

                fs::copy(file, &dest)
                    .with_context(|| format!("failed to copy {file:?} over to {dest:?}"))?;

                filetime::set_file_mtime(
                    &dest,
                    FileTime::from_last_modification_time(
                        &dest
                            .metadata()
                            .with_context(|| format!("failed getting metadata for {dest:?}"))?,
                    ),
                )
                .with_context(|| format!("unable to update the modification time of {dest:?}"))?;
            }
        }
    }

    shell.verbose(|shell| {
        let duration = start_time.elapsed();
        let secs = duration.as_secs();
        let d = if secs >= 60 {
            format!("{}m {:02}s", secs / 60, secs % 60)
        } else {
            format!("{}.{:02}s", secs, duration.subsec_nanos() / 10_000_000)
        };
        let t = targets
            .iter()
            .map(|(target, _)| target.to_string())
            .collect::<Vec<_>>()
            .join(", ");

        shell.status("Finished", format!("targets ({t}) in {d}",))
    })?;

    Ok(())
}

/// Check if the source file has changed and should be copied over to the destination path.
#[inline]
fn is_fresh(src: &Path, dest: &Path) -> anyhow::Result<bool> {
    if !dest.exists() {
        return Ok(false);
    }

    let src = src
        .metadata()
        .with_context(|| format!("failed getting metadata for {src:?}"))?;
    let dest = dest
        .metadata()
        .with_context(|| format!("failed getting metadata for {dest:?}"))?;

    // Only errors if modification time isn't available on the OS. Therefore,
    // we can't check it and always assume the file changed.
    let Some((src, dest)) = src.modified().ok().zip(dest.modified().ok()) else {
        return Ok(false);
    };

    Ok(src <= dest)
}
