// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dioxus-cli` 0.7.10
// (https://static.crates.io/crates/dioxus-cli/dioxus-cli-0.7.10.crate), file `src/bundler/windows.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/dioxus-cli-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl BundleContext<'_> {
    /// Build a Windows MSI installer using the WiX toolset.
    ///
    /// This method stages the application into a temporary installer layout, renders a
    /// WiX source file, compiles that source into `.wixobj` files with `candle.exe`,
    /// and links the final `.msi` with `light.exe`.
    ///
    /// The bundling pipeline is:
    /// 1. Resolve the WiX toolchain path that was pre-fetched during context setup.
    /// 2. Normalize the application version into WiX's constrained version format.
    /// 3. Compute installer metadata such as the upgrade code, publisher, icons,
    ///    license files, banner images, and optional fragment references.
    /// 4. Populate a `_staging` directory containing the main executable, copied
    ///    resources, and external binaries.
    /// 5. Render the `.wxs` source from either the built-in template or a user
    ///    supplied template.
    /// 6. Compile the main `.wxs` and any configured fragment files with
    ///    `candle.exe`.
    /// 7. Link all generated `.wixobj` files into the final `.msi` with `light.exe`.
    /// 8. Optionally sign the resulting installer with the configured Windows signing
    ///    settings.
    ///
    /// The final artifact is written to `project_out_directory()/bundle/msi`.
    /// Intermediate `.wxs`, `.wixobj`, and `_staging` files are intentionally left in
    /// place because they are useful when diagnosing packaging failures.
    pub(crate) async fn bundle_windows_msi(&self) -> Result<Vec<PathBuf>> {
        let output_dir = self.project_out_directory().join("msi");
        std::fs::create_dir_all(&output_dir).context("Failed to create MSI output directory")?;

        let wix_settings = self.windows().wix.unwrap_or_default();
        let windows_settings = self.windows();

        let wix_dir = self
            .tools
            .wix_dir
            .as_ref()
            .context("WiX tools were not resolved. This is a bug.")?;
        let candle = wix_dir.join("candle.exe");
        let light = wix_dir.join("light.exe");

        let arch = self.binary_arch();
        let arch_str = arch.windows_arch();
        let wix_arch = arch.wix_arch();
        let wix_program_files_folder = arch.wix_program_files_folder();

        let product_name = self.product_name();
        let version = wix_version(
            &wix_settings
                .version
                .clone()
                .unwrap_or_else(|| self.version_string()),
        )?;

        let msi_name = format!("{product_name}_{version}_{arch_str}.msi");
        let output_path = output_dir.join(&msi_name);

        let upgrade_code = wix_settings.upgrade_code.unwrap_or_else(|| {
            let input = format!("{}.exe.app.{}", product_name, arch_str);
            Uuid::new_v5(&Uuid::NAMESPACE_DNS, input.as_bytes())
        });

        let staging_dir = output_dir.join("_staging");
        if staging_dir.exists() {
            std::fs::remove_dir_all(&staging_dir)?;
        }
        std::fs::create_dir_all(&staging_dir)?;

        let main_binary_src = self.main_binary_path();
        let main_binary_name = format!("{}.exe", self.main_binary_name());
        let main_binary_dest = staging_dir.join(&main_binary_name);
        std::fs::copy(&main_binary_src, &main_binary_dest).with_context(|| {
            format!(
                "Failed to copy main binary from {} to {}",
                main_binary_src.display(),
                main_binary_dest.display()
            )
        })?;

        self.copy_resources(&staging_dir)?;
        self.copy_external_binaries(&staging_dir)?;
        let staged_files = collect_staged_files(&staging_dir, Some(&main_binary_dest))?;
        let (install_tree, component_refs_xml) = render_wix_install_tree(&staged_files);

        let mut data = BTreeMap::new();
        data.insert(
            "product_name".to_string(),
            serde_json::Value::String(product_name.clone()),
        );
        data.insert(
            "version".to_string(),
            serde_json::Value::String(version.clone()),
        );
        data.insert(
            "upgrade_code".to_string(),
            serde_json::Value::String(upgrade_code.to_string()),
        );
        data.insert(
            "wix_program_files_folder".to_string(),
            serde_json::Value::String(wix_program_files_folder.to_string()),
        );
        data.insert(
            "main_binary_name".to_string(),
            serde_json::Value::String(main_binary_name.clone()),
        );
        data.insert(
            "main_binary_path".to_string(),
            serde_json::Value::String(main_binary_dest.to_string_lossy().replace('/', "\\")),
        );
        data.insert(
            "short_description".to_string(),
            serde_json::Value::String(self.short_description()),
        );
        data.insert(
            "bundle_id".to_string(),
            serde_json::Value::String(self.bundle_identifier()),
        );

        let publisher = self
            .publisher()
            .map(|s| s.to_string())
            .or_else(|| self.authors_comma_separated())
            .unwrap_or_else(|| product_name.clone());
        data.insert(
            "publisher".to_string(),
            serde_json::Value::String(publisher),
        );

        data.insert(
            "allow_downgrades".to_string(),
            serde_json::Value::Bool(windows_settings.allow_downgrades),
        );
        data.insert(
            "fips_compliant".to_string(),
            serde_json::Value::Bool(wix_settings.fips_compliant),
        );

        if let Some(icon_path) = &windows_settings.icon_path {
            let icon = self.crate_dir().join(icon_path);
            data.insert(
                "icon_path".to_string(),
                serde_json::Value::String(icon.to_string_lossy().replace('/', "\\")),
            );
        }

        if let Some(license) = &wix_settings.license {
            let license_path = self.crate_dir().join(license);
            data.insert(
                "license".to_string(),
                serde_json::Value::String(license_path.to_string_lossy().replace('/', "\\")),
            );
        }

        if let Some(banner) = &wix_settings.banner_path {
            let banner_path = self.crate_dir().join(banner);
            data.insert(
                "banner_path".to_string(),
                serde_json::Value::String(banner_path.to_string_lossy().replace('/', "\\")),
            );
        }
        if let Some(dialog) = &wix_settings.dialog_image_path {
            let dialog_path = self.crate_dir().join(dialog);
            data.insert(
                "dialog_image_path".to_string(),
                serde_json::Value::String(dialog_path.to_string_lossy().replace('/', "\\")),
            );
        }

        let to_json_array = |v: &[String]| -> serde_json::Value {
            serde_json::Value::Array(
                v.iter()
                    .map(|s| serde_json::Value::String(s.clone()))
                    .collect(),
            )
        };
        data.insert(
            "component_group_refs".to_string(),
            to_json_array(&wix_settings.component_group_refs),
        );
        data.insert(
            "component_refs".to_string(),
            to_json_array(&wix_settings.component_refs),
        );
        data.insert(
            "feature_group_refs".to_string(),
            to_json_array(&wix_settings.feature_group_refs),
        );
        data.insert(
            "feature_refs".to_string(),
            to_json_array(&wix_settings.feature_refs),
        );
        data.insert(
            "merge_refs".to_string(),
            to_json_array(&wix_settings.merge_refs),
        );
        data.insert(
            "install_tree".to_string(),
            serde_json::Value::String(install_tree),
        );
        data.insert(
            "component_refs_xml".to_string(),
            serde_json::Value::String(component_refs_xml),
        );

        let wix_template = if let Some(custom_template) = &wix_settings.template {
            let template_path = self.crate_dir().join(custom_template);
            std::fs::read_to_string(&template_path).with_context(|| {
                format!(
                    "Failed to read custom WiX template: {}",
                    template_path.display()
                )
            })?
        } else {
            WIX_TEMPLATE.to_string()
        };

        let wxs_content =
            render_template(&wix_template, &data).context("Failed to render WiX template")?;

        let wxs_path = output_dir.join(format!("{product_name}.wxs"));
        std::fs::write(&wxs_path, &wxs_content).context("Failed to write WiX source file")?;

        let mut fragment_wxs_paths = Vec::new();
        for fragment in &wix_settings.fragment_paths {
            let frag_path = self.crate_dir().join(fragment);
            if !frag_path.exists() {
                bail!("WiX fragment file not found: {}", frag_path.display());
            }
            fragment_wxs_paths.push(frag_path);
        }

        tracing::info!("Running candle.exe to compile WiX source...");
        let wixobj_path = output_dir.join(format!("{product_name}.wixobj"));

        let mut candle_cmd = Command::new(&candle);
        candle_cmd
            .arg("-arch")
            .arg(wix_arch)
            .arg("-o")
            .arg(&wixobj_path)
            .arg(&wxs_path);

        if wix_settings.fips_compliant {
            candle_cmd.arg("-fips");
        }

        candle_cmd.arg("-ext").arg("WixUIExtension");

        tracing::debug!("candle command: {:?}", candle_cmd);

        let candle_output = candle_cmd
            .output()
            .await
            .with_context(|| format!("Failed to run candle.exe at {}", candle.display()))?;

        if !candle_output.status.success() {
            let stderr = String::from_utf8_lossy(&candle_output.stderr);
            let stdout = String::from_utf8_lossy(&candle_output.stdout);
            bail!(
                "candle.exe failed (exit code {:?}):\nstdout: {}\nstderr: {}",
                candle_output.status.code(),
                stdout,
                stderr
            );
        }

        let mut all_wixobj_paths = vec![wixobj_path];
        for frag_wxs in &fragment_wxs_paths {
            let frag_name = frag_wxs.file_stem().unwrap_or_default().to_string_lossy();
            let frag_wixobj = output_dir.join(format!("{frag_name}.wixobj"));

            let mut frag_candle = Command::new(&candle);
            frag_candle
                .arg("-arch")
                .arg(wix_arch)
                .arg("-o")
                .arg(&frag_wixobj)
                .arg(frag_wxs);

            let frag_output = frag_candle.output().await.with_context(|| {
                format!("Failed to compile WiX fragment: {}", frag_wxs.display())
            })?;

            if !frag_output.status.success() {
                let stderr = String::from_utf8_lossy(&frag_output.stderr);
                bail!(
                    "candle.exe failed on fragment {} (exit code {:?}):\n{}",
                    frag_wxs.display(),
                    frag_output.status.code(),
                    stderr
                );
            }
            all_wixobj_paths.push(frag_wixobj);
        }

        tracing::info!("Running light.exe to link MSI...");

        let mut light_cmd = Command::new(&light);
        light_cmd
            .arg("-o")
            .arg(&output_path)
            .arg("-ext")
            .arg("WixUIExtension");

        for wixobj in &all_wixobj_paths {
            light_cmd.arg(wixobj);
        }

        tracing::debug!("light command: {:?}", light_cmd);

        let light_output = light_cmd
            .output()
            .await
            .with_context(|| format!("Failed to run light.exe at {}", light.display()))?;

        if !light_output.status.success() {
            let stderr = String::from_utf8_lossy(&light_output.stderr);
            let stdout = String::from_utf8_lossy(&light_output.stdout);
            bail!(
                "light.exe failed (exit code {:?}):\nstdout: {}\nstderr: {}",
                light_output.status.code(),
                stdout,
                stderr
            );
        }

        if can_sign_windows(&windows_settings) {
            self.try_sign_windows(&output_path).await?;
        }

        if !output_path.exists() {
            bail!(
                "light.exe completed but MSI not found at {}",
                output_path.display()
            );
        }

        tracing::info!("MSI installer created: {}", output_path.display());
        Ok(vec![output_path])
    }

}
