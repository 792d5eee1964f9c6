// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-packager` 0.11.8
// (https://static.crates.io/crates/cargo-packager/cargo-packager-0.11.8.crate), file `src/package/app/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-packager-LICENSE_APACHE-2.0, ../licences/cargo-packager-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
#[tracing::instrument(level = "trace", skip(ctx))]
pub(crate) fn package(ctx: &Context) -> crate::Result<Vec<PathBuf>> {
    let Context { config, .. } = ctx;
    // we should use the bundle name (App name) as a macOS standard.
    // version or platform shouldn't be included in the App name.
    let app_product_name = format!("{}.app", config.product_name);
    let app_bundle_path = config.out_dir().join(&app_product_name);

    if app_bundle_path.exists() {
        fs::remove_dir_all(&app_bundle_path)
            .map_err(|e| Error::IoWithPath(app_bundle_path.clone(), e))?;
    }

    tracing::info!(
        "Packaging {} ({})",
        app_product_name,
        app_bundle_path.display()
    );

    let contents_directory = app_bundle_path.join("Contents");
    fs::create_dir_all(&contents_directory)
        .map_err(|e| Error::IoWithPath(contents_directory.clone(), e))?;

    let resources_dir = contents_directory.join("Resources");
    let bin_dir = contents_directory.join("MacOS");
    fs::create_dir_all(&bin_dir).map_err(|e| Error::IoWithPath(bin_dir.clone(), e))?;

    #[cfg(target_os = "macos")]
    let mut sign_paths = std::collections::BinaryHeap::new();

    let bundle_icon_file = util::create_icns_file(&resources_dir, config)?;

    tracing::debug!("Creating Info.plist");
    create_info_plist(&contents_directory, bundle_icon_file, config)?;

    tracing::debug!("Copying frameworks");
    let _framework_paths = copy_frameworks_to_bundle(&contents_directory, config)?;

    #[cfg(target_os = "macos")]
    sign_paths.extend(
        _framework_paths
            .into_iter()
            .filter(|p| {
                let ext = p.extension();
                ext == Some(std::ffi::OsStr::new("framework"))
            })
            .map(|path| SignTarget {
                path,
                is_native_binary: false,
            }),
    );

    tracing::debug!("Copying resources");
    config.copy_resources(&resources_dir)?;

    tracing::debug!("Copying embedded.provisionprofile");
    copy_embedded_provisionprofile_file(&contents_directory, config)?;

    tracing::debug!("Copying embedded apps");
    let embedded_apps = copy_embedded_apps(&contents_directory, config)?;

    tracing::debug!("Copying external binaries");
    config.copy_external_binaries(&bin_dir)?;
    tracing::debug!("Copying binaries");
    for bin in &config.binaries {
        let bin_path = config.binary_path(bin);
        let dest_path = bin_dir.join(bin.path.file_name().unwrap());
        fs::copy(&bin_path, &dest_path)
            .map_err(|e| Error::CopyFile(bin_path.clone(), dest_path.clone(), e))?;
    }

    // All dylib files and native executables should be signed manually
    // It is highly discouraged by Apple to use the --deep codesign parameter in larger projects.
    // https://developer.apple.com/forums/thread/129980

    // Find all files in the app bundle
    let files = walkdir::WalkDir::new(&app_bundle_path)
        .into_iter()
        .flatten()
        .map(|dir| dir.into_path())
        .filter(|path| !embedded_apps.iter().any(|x| path.starts_with(x)));

    // Filter all files for Mach-O headers. This will target all .dylib and native executable files
    for file in files {
        let metadata = match fs::metadata(&file) {
            Ok(f) => f,
            Err(err) => {
                tracing::warn!("Failed to get metadata for {}: {err}, this file will not be scanned for Mach-O header!", file.display());
                continue;
            }
        };

        // ignore folders and files that do not include at least the header size
        if !metadata.is_file() || metadata.len() < 4 {
            continue;
        }

        let mut open_file = match fs::File::open(&file) {
            Ok(f) => f,
            Err(err) => {
                tracing::warn!("Failed to open {} for reading: {err}, this file will not be scanned for Mach-O header!", file.display());
                continue;
            }
        };

        let mut buffer = [0; 4];
        std::io::Read::read_exact(&mut open_file, &mut buffer)?;

        const MACH_O_MAGIC_NUMBERS: [u32; 5] =
            [0xfeedface, 0xfeedfacf, 0xcafebabe, 0xcefaedfe, 0xcffaedfe];

        let magic = u32::from_be_bytes(buffer);

        let is_mach = MACH_O_MAGIC_NUMBERS.contains(&magic);
        if !is_mach {
            continue;
        }

        #[cfg(target_os = "macos")]
        sign_paths.push(SignTarget {
            path: file,
            is_native_binary: true,
        });
    }

    #[cfg(target_os = "macos")]
    if let Some(identity) = config
        .macos()
        .and_then(|macos| macos.signing_identity.as_ref())
    {
        tracing::debug!("Codesigning {}", app_bundle_path.display());
        // Sign frameworks and sidecar binaries first, per apple, signing must be done inside out
        // https://developer.apple.com/forums/thread/701514
        sign_paths.push(SignTarget {
            path: app_bundle_path.clone(),
            is_native_binary: true,
        });

        // Remove extra attributes, which could cause codesign to fail
        // https://developer.apple.com/library/archive/qa/qa1940/_index.html
        remove_extra_attr(&app_bundle_path)?;

        // sign application
        let sign_paths = sign_paths.into_sorted_vec();
        codesign::try_sign(sign_paths, identity, config)?;

        // notarization is required for distribution
        match config
            .macos()
            .and_then(|m| m.notarization_credentials.clone())
            .ok_or(crate::Error::MissingNotarizeAuthVars)
            .or_else(|_| codesign::notarize_auth())
        {
            Ok(auth) => {
                tracing::debug!("Notarizing {}", app_bundle_path.display());
                codesign::notarize(app_bundle_path.clone(), auth, config)?;
            }
            Err(e) => {
                tracing::warn!("Skipping app notarization, {}", e.to_string());
            }
        }
    }

    Ok(vec![app_bundle_path])
}
