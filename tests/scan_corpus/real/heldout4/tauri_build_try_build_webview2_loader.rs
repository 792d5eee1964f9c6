// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-build` 2.7.6
// (https://static.crates.io/crates/tauri-build/tauri-build-2.7.6.crate), file `src/lib.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-build-LICENSE-APACHE-2.0, ../licences/tauri-build-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Same as [`build()`], but takes an extra configuration argument, and does not panic.
#[allow(unused_variables)]
pub fn try_build(attributes: Attributes) -> Result<()> {
  use anyhow::anyhow;

  println!("cargo:rerun-if-env-changed=TAURI_CONFIG");

  let target_os = env::var_os("CARGO_CFG_TARGET_OS").unwrap();
  let mobile = target_os == "ios" || target_os == "android";
  cfg_alias("desktop", !mobile);
  cfg_alias("mobile", mobile);

  let target_triple = env::var("TARGET").unwrap();
  let target = tauri_utils::platform::Target::from_triple(&target_triple);

  let config_root = if let Some(config_path) = &attributes.config_path {
    config_path.parent().with_context(|| {
      format!(
        "`config_path` '{}' doesn't have a parent directory",
        config_path.display()
      )
    })?
  } else {
    &env::current_dir().unwrap()
  };

  let (mut config, config_paths) = tauri_utils::config::parse::read_from(target, config_root)?;

  for config_file_path in config_paths {
    println!("cargo:rerun-if-changed={}", config_file_path.display());
  }
  if let Ok(env) = env::var("TAURI_CONFIG") {
    let merge_config: serde_json::Value = serde_json::from_str(&env)?;
    json_patch::merge(&mut config, &merge_config);
  }
  let config: Config = serde_json::from_value(config)?;
  let static_vc_runtime = should_static_link_vc_runtime(&config, &attributes);

  let s = config.identifier.split('.');
  let last = s.clone().count() - 1;
  let mut android_package_prefix = String::new();
  for (i, w) in s.enumerate() {
    if i == last {
      println!(
        "cargo:rustc-env=TAURI_ANDROID_PACKAGE_NAME_APP_NAME={}",
        w.replace('-', "_")
      );
    } else {
      android_package_prefix.push_str(&w.replace(['_', '-'], "_1"));
      android_package_prefix.push('_');
    }
  }
  android_package_prefix.pop();
  println!("cargo:rustc-env=TAURI_ANDROID_PACKAGE_NAME_PREFIX={android_package_prefix}");

  if let Some(project_dir) = env::var_os("TAURI_ANDROID_PROJECT_PATH").map(PathBuf::from) {
    mobile::generate_gradle_files(project_dir)?;

    // Update Android manifest with file associations
    if let Some(associations) = config.bundle.file_associations.as_ref() {
      mobile::update_android_manifest_file_associations(associations)?;
    }
  }

  cfg_alias("dev", is_dev());

  let cargo_toml_path = Path::new("Cargo.toml").canonicalize()?;
  let mut manifest = Manifest::<cargo_toml::Value>::from_path_with_metadata(cargo_toml_path)?;

  let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap());

  manifest::check(&config, &mut manifest)?;

  acl::build(&out_dir, target, &config, &attributes)?;

  tauri_utils::plugin::save_global_api_scripts_paths(&out_dir, None);

  println!("cargo:rustc-env=TAURI_ENV_TARGET_TRIPLE={target_triple}");
  // when running codegen in this build script, we need to access the env var directly
  // FIXME: This can be accessed from multiple threads
  unsafe { env::set_var("TAURI_ENV_TARGET_TRIPLE", &target_triple) };

  let target_dir = target_dir_from_out_dir(&out_dir)
    .with_context(|| format!("failed to resolve the target directory from {out_dir:?}"))?;

  if let Some(paths) = &config.bundle.external_bin {
    copy_binaries(
      ResourcePaths::new(&external_binaries(paths, &target_triple, &target), true),
      &target_triple,
      target_dir,
      manifest.package.as_ref().map(|p| p.name.as_ref()),
    )?;
  }

  let mut resources = config
    .bundle
    .resources
    .clone()
    .unwrap_or(BundleResources::List(Vec::new()));
  if target_triple.contains("windows") {
    if let Some(fixed_webview2_runtime_path) = match &config.bundle.windows.webview_install_mode {
      WebviewInstallMode::FixedRuntime { path } => Some(path),
      _ => None,
    } {
      resources.push(fixed_webview2_runtime_path.display().to_string());
    }
  }
  match resources {
    BundleResources::List(res) => {
      copy_resources(ResourcePaths::new(res.as_slice(), true), target_dir)?
    }
    BundleResources::Map(map) => copy_resources(ResourcePaths::from_map(&map, true), target_dir)?,
  }

  if target_triple.contains("darwin") {
    if let Some(frameworks) = &config.bundle.macos.frameworks {
      if !frameworks.is_empty() {
        let frameworks_dir = target_dir.parent().unwrap().join("Frameworks");
        let _ = fs::remove_dir_all(&frameworks_dir);
        // copy frameworks to the root `target` folder (instead of `target/debug` for instance)
        // because the rpath is set to `@executable_path/../Frameworks`.
        copy_frameworks(&frameworks_dir, frameworks)?;

        // If we have frameworks, we need to set the @rpath
        // https://github.com/tauri-apps/tauri/issues/7710
        println!("cargo:rustc-link-arg=-Wl,-rpath,@executable_path/../Frameworks");
      }
    }

    if !is_dev() {
      if let Some(version) = &config.bundle.macos.minimum_system_version {
        println!("cargo:rustc-env=MACOSX_DEPLOYMENT_TARGET={version}");
      }
    }
  }

  if target_triple.contains("ios") {
    println!(
      "cargo:rustc-env=IPHONEOS_DEPLOYMENT_TARGET={}",
      config.bundle.ios.minimum_system_version
    );
  }

  if target_triple.contains("windows") {
    use semver::Version;
    use tauri_winres::{VersionInfo, WindowsResource};

    let window_icon_path = attributes
      .windows_attributes
      .window_icon_path
      .unwrap_or_else(|| {
        // icon paths in the config are relative to the config file
        config_root.join(
          config
            .bundle
            .icon
            .iter()
            .find(|i| i.ends_with(".ico"))
            .map(AsRef::as_ref)
            .unwrap_or("icons/icon.ico"),
        )
      });

    let mut res = WindowsResource::new();

    if let Some(manifest) = attributes.windows_attributes.app_manifest {
      res.set_manifest(&manifest);
    }

    for content in attributes.windows_attributes.append_rc_content {
      res.append_rc_content(&content);
    }

    if let Some(version_str) = &config.version {
      if let Ok(v) = Version::parse(version_str) {
        let version = to_winres_version(&v);
        res.set_version_info(VersionInfo::FILEVERSION, version);
        res.set_version_info(VersionInfo::PRODUCTVERSION, version);
        res.set("FileVersion", version_str);
        res.set("ProductVersion", version_str);
      }
    }

    if let Some(product_name) = &config.product_name {
      res.set("ProductName", product_name);
    }

    let company_name = config.bundle.publisher.unwrap_or_else(|| {
      config
        .identifier
        .split('.')
        .nth(1)
        .unwrap_or(&config.identifier)
        .to_string()
    });

    res.set("CompanyName", &company_name);

    let file_description = config
      .product_name
      .or_else(|| manifest.package.as_ref().map(|p| p.name.clone()))
      .or_else(|| std::env::var("CARGO_PKG_NAME").ok());

    res.set("FileDescription", &file_description.unwrap());

    if let Some(copyright) = &config.bundle.copyright {
      res.set("LegalCopyright", copyright);
    }

    if window_icon_path.exists() {
      res.set_icon_with_id(
        &window_icon_path.display().to_string(),
        &tauri_utils::platform::WINDOWS_APP_ICON_RESOURCE_ID.to_string(),
      );
    } else {
      return Err(anyhow!(format!(
        "`{}` not found; required for generating a Windows Resource file during tauri-build",
        window_icon_path.display()
      )));
    }

    res.compile().with_context(|| {
      format!(
        "failed to compile `{}` into a Windows Resource file during tauri-build",
        window_icon_path.display()
      )
    })?;

    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap();
    match target_env.as_str() {
      "gnu" => {
        let target_arch = match env::var("CARGO_CFG_TARGET_ARCH").unwrap().as_str() {
          "x86_64" => Some("x64"),
          "x86" => Some("x86"),
          "aarch64" => Some("arm64"),
          arch => None,
        };
        if let Some(target_arch) = target_arch {
          // The `out` dir is
          //   - `<target dir>/build/<pkg>-<hash>/out` on stable
          //   - `<target dir>/build/<pkg>/<hash>/out` on recent nightlies
          let build_dir = target_dir.join("build");
          let webview2_com_sys_build = build_dir.join("webview2-com-sys");
          let (build_dir, new_layout) = if webview2_com_sys_build.exists() {
            (webview2_com_sys_build, true)
          } else {
            (build_dir, false)
          };
          for entry in fs::read_dir(build_dir)? {
            let path = entry?.path();
            let webview2_loader_path = path
              .join("out")
              .join(target_arch)
              .join("WebView2Loader.dll");
            if webview2_loader_path.exists()
              && (new_layout || path.to_string_lossy().contains("webview2-com-sys"))
            {
              fs::copy(webview2_loader_path, target_dir.join("WebView2Loader.dll"))?;
              break;
            }
          }
        }
      }
      "msvc" if static_vc_runtime => {
        static_vcruntime::metabuild();
      }
      _ => (),
    }
  }

  #[cfg(feature = "codegen")]
  if let Some(mut codegen) = attributes.codegen {
    if codegen.config_path.is_none() {
      codegen.config_path = attributes.config_path;
    }
    codegen.try_build()?;
  }

  Ok(())
}
