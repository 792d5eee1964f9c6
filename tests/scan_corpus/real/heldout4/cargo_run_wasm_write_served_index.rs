// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-run-wasm` 0.4.0
// (https://static.crates.io/crates/cargo-run-wasm/cargo-run-wasm-0.4.0.crate), file `src/lib.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-run-wasm-LICENSE-APACHE, ../licences/cargo-run-wasm-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl RunWasm {

    /// Launch run-wasm
    pub fn run(self) -> Result<(), String> {
        let binary_name = match self
            .example
            .as_ref()
            .or(self.bin.as_ref())
            .or(self.package.as_ref())
        {
            Some(name) => name.to_owned(),
            None => {
                return Err("Need to use at least one of `--package NAME`, `--example NAME` `--bin NAME`.\nRun cargo run-wasm --help for more info.".to_owned());
            }
        };

        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());

        let CargoDirectories {
            workspace_root,
            target_directory,
        } = CargoDirectories::new(&cargo);
        let target_target = target_directory.join("wasm-examples-target");
        let mut cargo_args = vec![
            "build".as_ref(),
            "--target".as_ref(),
            "wasm32-unknown-unknown".as_ref(),
            // It is common to setup a faster linker such as mold or lld to run for just your native target.
            // It cant be set for wasm as wasm doesnt support building with these linkers.
            // This results in a separate rustflags value for native and wasm builds.
            // Currently rust triggers a full rebuild every time the rustflags value changes.
            //
            // Therefore we have this hack where we use a different target dir for wasm builds to avoid constantly triggering full rebuilds.
            // When this issue is resolved we might be able to remove this hack: https://github.com/rust-lang/cargo/issues/8716
            "--target-dir".as_ref(),
            target_target.as_os_str(),
        ];

        if let Some(package) = self.package.as_ref() {
            cargo_args.extend([OsStr::new("--package"), package.as_ref()]);
        }
        if let Some(example) = self.example.as_ref() {
            cargo_args.extend([OsStr::new("--example"), example.as_ref()]);
        }
        if let Some(bin) = self.bin.as_ref() {
            cargo_args.extend([OsStr::new("--bin"), bin.as_ref()]);
        }
        if let Some(profile) = self.profile.as_ref() {
            cargo_args.extend([OsStr::new("--profile"), profile.as_ref()]);
        }

        cargo_args.extend(self.cargo_build_args.iter().map(OsStr::new));
        let status = Command::new(&cargo)
            .current_dir(&workspace_root)
            .args(&cargo_args)
            .status()
            .unwrap();
        if !status.success() {
            // We can return without printing anything because cargo will have already displayed an appropriate error.
            return Err("Failed due to cargo error".to_owned());
        }

        let profile_dir_name = match self.profile.as_deref() {
            Some("dev") => "debug",
            Some(profile) => profile,
            None => "debug",
        };

        // run wasm-bindgen on wasm file output by cargo, write to the destination folder
        let target_profile = target_target
            .join("wasm32-unknown-unknown")
            .join(profile_dir_name);
        let wasm_source = if self.example.is_some() {
            target_profile.join("examples")
        } else {
            target_profile
        }
        .join(format!("{}.wasm", binary_name));

        if !wasm_source.exists() {
            return Err("There is no binary at {wasm_source:?}, maybe you used `--package NAME` on a package that has no binary?".to_owned());
        }

        let example_dest = target_directory.join("wasm-examples").join(&binary_name);
        std::fs::create_dir_all(&example_dest).unwrap();
        let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
        bindgen
            .web(true)
            .unwrap()
            .omit_default_module_path(false)
            .input_path(&wasm_source)
            .generate(&example_dest)
            .unwrap();

        // process template index.html and write to the destination folder
        let index_template = include_str!("index.template.html");
        let index_processed = index_template
            .replace("{{name}}", &binary_name)
            // This is fine because a replaced {{name}} cant contain `{{css}} ` due to `{` not being valid in a crate name
            .replace("{{css}}", &self.css);
        std::fs::write(example_dest.join("index.html"), index_processed).unwrap();

        if !self.build_only {
            let host = self.host.unwrap_or_else(|| "localhost".into());
            let port = self
                .port
                .unwrap_or_else(|| "8000".into())
                .parse()
                .expect("Port should be an integer");

            // run webserver on destination folder
            println!("\nServing `{}` on http://{}:{}", binary_name, host, port);
            devserver_lib::run(
                &host,
                port,
                example_dest.as_os_str().to_str().unwrap(),
                false,
                "",
            );
        }

        Ok(())
    }
}
