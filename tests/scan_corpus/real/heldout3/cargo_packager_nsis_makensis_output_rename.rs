// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-packager` 0.11.8
// (https://static.crates.io/crates/cargo-packager/cargo-packager-0.11.8.crate), file `src/package/nsis/mod.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-packager-LICENSE_APACHE-2.0, ../licences/cargo-packager-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
#[tracing::instrument(level = "trace", skip(ctx))]
fn build_nsis_app_installer(ctx: &Context, nsis_path: &Path) -> crate::Result<Vec<PathBuf>> {
    let Context {
        config,
        intermediates_path,
        ..
    } = ctx;

    let arch = match config.target_arch()? {
        "x86_64" => "x64",
        "x86" => "x86",
        "aarch64" => "arm64",
        target => return Err(Error::UnsupportedArch("nsis".into(), target.into())),
    };

    let main_binary = config.main_binary()?;
    let main_binary_name = config.main_binary_name()?;
    let main_binary_path = config.binary_path(main_binary).with_extension("exe");

    if config.can_sign() {
        tracing::debug!("Codesigning {}", main_binary_path.display());
        codesign::try_sign(&main_binary_path, config)?;
    } else {
        #[cfg(not(target_os = "windows"))]
        tracing::warn!("Codesigning is by default is only supported on Windows hosts, but you can specify a custom signing command in `config.windows.sign_command`, for now, skipping signing the main binary...");
    }

    let intermediates_path = intermediates_path.join("nsis").join(arch);
    util::create_clean_dir(&intermediates_path)?;

    let mut data = BTreeMap::new();

    #[cfg(not(target_os = "windows"))]
    {
        let dir = nsis_path.join("Plugins/x86-unicode");
        data.insert("additional_plugins_path", to_json(dir));
    }

    let identifier = config.identifier();
    let manufacturer = config.publisher();

    data.insert("arch", to_json(arch));
    data.insert("identifier", to_json(identifier));
    data.insert("manufacturer", to_json(&manufacturer));
    data.insert("product_name", to_json(&config.product_name));
    data.insert("short_description", to_json(&config.description));
    data.insert("copyright", to_json(&config.copyright));
    data.insert("version", to_json(&config.version));
    data.insert(
        "version_with_build",
        to_json(add_build_number_if_needed(&config.version)?),
    );
    data.insert(
        "allow_downgrades",
        to_json(config.windows().map(|w| w.allow_downgrades)),
    );

    if config.can_sign() {
        let sign_cmd = format!("{:?}", codesign::sign_command("%1", &config.sign_params())?);
        data.insert("uninstaller_sign_cmd", to_json(sign_cmd));
    }

    if let Some(license) = &config.license_file {
        let canonicalized =
            dunce::canonicalize(license).map_err(|e| Error::IoWithPath(license.clone(), e))?;
        data.insert("license", to_json(canonicalized));
    }

    let mut install_mode = NSISInstallerMode::CurrentUser;
    let mut languages = vec!["English".into()];
    let mut custom_template_path = None;
    let mut custom_language_files = None;
    if let Some(nsis) = config.nsis() {
        custom_template_path.clone_from(&nsis.template);
        custom_language_files.clone_from(&nsis.custom_language_files);
        install_mode = nsis.install_mode;
        if let Some(langs) = &nsis.languages {
            languages.clear();
            languages.extend_from_slice(langs);
        }
        data.insert(
            "display_language_selector",
            to_json(nsis.display_language_selector && languages.len() > 1),
        );
        if let Some(installer_icon) = &nsis.installer_icon {
            let canonicalized = dunce::canonicalize(installer_icon)
                .map_err(|e| Error::IoWithPath(installer_icon.clone(), e))?;
            data.insert("installer_icon", to_json(canonicalized));
        }
        if let Some(header_image) = &nsis.header_image {
            let canonicalized = dunce::canonicalize(header_image)
                .map_err(|e| Error::IoWithPath(header_image.clone(), e))?;
            data.insert("header_image", to_json(canonicalized));
        }
        if let Some(sidebar_image) = &nsis.sidebar_image {
            let canonicalized = dunce::canonicalize(sidebar_image)
                .map_err(|e| Error::IoWithPath(sidebar_image.clone(), e))?;
            data.insert("sidebar_image", to_json(canonicalized));
        }
        if let Some(preinstall_section) = &nsis.preinstall_section {
            data.insert("preinstall_section", to_json(preinstall_section));
        }
        if let Some(compression) = &nsis.compression {
            data.insert(
                "compression",
                to_json(match &compression {
                    NsisCompression::Zlib => "zlib",
                    NsisCompression::Bzip2 => "bzip2",
                    NsisCompression::Lzma => "lzma",
                    NsisCompression::Off => "off",
                }),
            );
        }
        if let Some(appdata_paths) = &nsis.appdata_paths {
            let appdata_paths = appdata_paths
                .iter()
                .map(|p| {
                    p.replace("$PUBLISHER", &manufacturer)
                        .replace("$PRODUCTNAME", &config.product_name)
                        .replace("$IDENTIFIER", config.identifier())
                })
                .collect::<Vec<_>>();
            data.insert("appdata_paths", to_json(appdata_paths));
        }
    }

    data.insert("install_mode", to_json(install_mode));

    let mut languages_data = Vec::new();
    for lang in &languages {
        if let Some(data) = get_lang_data(lang, custom_language_files.as_ref())? {
            languages_data.push(data);
        } else {
            tracing::warn!("Custom cargo-packager messages for {lang} are not translated.\nIf it is a valid language listed on <https://github.com/kichik/nsis/tree/9465c08046f00ccb6eda985abbdbf52c275c6c4d/Contrib/Language%20files>, please open a cargo-packager feature request\n or you can provide a custom language file for it in ` nsis.custom_language_files`");
        }
    }
    data.insert("languages", to_json(languages.clone()));
    data.insert(
        "language_files",
        to_json(
            languages_data
                .iter()
                .map(|d| d.0.clone())
                .collect::<Vec<_>>(),
        ),
    );

    data.insert("main_binary_name", to_json(&main_binary_name));
    data.insert("main_binary_path", to_json(&main_binary_path));

    if let Some(file_associations) = &config.file_associations {
        data.insert("file_associations", to_json(file_associations));
    }

    if let Some(protocols) = &config.deep_link_protocols {
        let schemes = protocols
            .iter()
            .flat_map(|p| &p.schemes)
            .collect::<Vec<_>>();
        data.insert("deep_link_protocols", to_json(schemes));
    }

    let out_file = "nsis-output.exe";
    data.insert("out_file", to_json(out_file));

    let (resources_dirs, resources) = generate_resource_data(config)?;
    data.insert("resources_dirs", to_json(resources_dirs));
    data.insert("resources", to_json(&resources));

    let binaries = generate_binaries_data(config)?;
    data.insert("binaries", to_json(&binaries));

    let estimated_size =
        generate_estimated_size(main_binary_path, resources.keys().chain(binaries.keys()))?;
    data.insert("estimated_size", to_json(estimated_size));

    let mut handlebars = Handlebars::new();
    handlebars.register_helper("or", Box::new(handlebars_or));
    handlebars.register_helper("association-description", Box::new(association_description));
    handlebars.register_helper("unescape_newlines", Box::new(unescape_newlines));
    handlebars.register_helper("unescape_dollar_sign", Box::new(unescape_dollar_sign));
    handlebars.register_escape_fn(|s| {
        let mut output = String::new();
        for c in s.chars() {
            match c {
                '\"' => output.push_str("$\\\""),
                '$' => output.push_str("$$"),
                '`' => output.push_str("$\\`"),
                '\n' => output.push_str("$\\n"),
                '\t' => output.push_str("$\\t"),
                '\r' => output.push_str("$\\r"),
                _ => output.push(c),
            }
        }
        output
    });
    if let Some(path) = custom_template_path {
        handlebars
            .register_template_string("installer.nsi", fs::read_to_string(path)?)
            .map_err(Box::new)?;
    } else {
        handlebars
            .register_template_string("installer.nsi", include_str!("./installer.nsi"))
            .map_err(Box::new)?;
    }

    write_ut16_le_with_bom(
        intermediates_path.join("FileAssociation.nsh"),
        include_str!("./FileAssociation.nsh"),
    )?;

    let installer_nsi_path = intermediates_path.join("installer.nsi");
    write_ut16_le_with_bom(
        &installer_nsi_path,
        handlebars.render("installer.nsi", &data)?.as_str(),
    )?;

    for (lang, data) in languages_data.iter() {
        if let Some(content) = data {
            write_ut16_le_with_bom(intermediates_path.join(lang).with_extension("nsh"), content)?;
        }
    }

    let nsis_output_path = intermediates_path.join(out_file);

    let installer_path = config.out_dir().join(format!(
        "{}_{}_{}-setup.exe",
        main_binary_name, config.version, arch
    ));

    let installer_path_parent = installer_path
        .parent()
        .ok_or_else(|| Error::ParentDirNotFound(installer_path.clone()))?;
    fs::create_dir_all(installer_path_parent)
        .map_err(|e| Error::IoWithPath(installer_path_parent.to_path_buf(), e))?;

    tracing::info!(
        "Running makensis.exe to produce {}",
        util::display_path(&installer_path)
    );
    #[cfg(target_os = "windows")]
    let mut nsis_cmd = Command::new(nsis_path.join("makensis.exe"));
    #[cfg(not(target_os = "windows"))]
    let mut nsis_cmd = Command::new("makensis");

    if let Some(level) = config.log_level {
        nsis_cmd.arg(match level {
            LogLevel::Error => "-V1",
            LogLevel::Warn | LogLevel::Info => "-V2",
            LogLevel::Debug => "-V3",
            _ => "-V4",
        });
    }

    nsis_cmd
        .arg(installer_nsi_path)
        .current_dir(intermediates_path)
        .output_ok()
        .map_err(Error::NsisFailed)?;

    fs::rename(&nsis_output_path, &installer_path)
        .map_err(|e| Error::RenameFile(nsis_output_path, installer_path.clone(), e))?;

    if config.can_sign() {
        tracing::debug!("Codesigning {}", installer_path.display());
        codesign::try_sign(&installer_path, config)?;
    } else {
        #[cfg(not(target_os = "windows"))]
        tracing::warn!("Codesigning is by default is only supported on Windows hosts, but you can specify a custom signing command in `config.windows.sign_command`, for now, skipping signing the installer...");
    }

    Ok(vec![installer_path])
}
