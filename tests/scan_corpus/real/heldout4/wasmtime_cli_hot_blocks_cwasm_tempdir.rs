// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `wasmtime-cli` 48.0.8
// (https://static.crates.io/crates/wasmtime-cli/wasmtime-cli-48.0.8.crate), file `src/commands/hot_blocks.rs`.
// Licence: Apache-2.0 WITH LLVM-exception (see ../licences/wasmtime-cli-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl HotBlocksCommand {
    /// Executes the command.
    pub fn execute(mut self) -> Result<()> {
        self.run.common.init_logging()?;

        if !(0.0..=100.0).contains(&self.percent) {
            bail!("--percent must be between 0 and 100 inclusive");
        }

        // Ensure address maps are enabled (error if explicitly disabled).
        if self.run.common.debug.address_map == Some(false) {
            bail!(
                "address maps must be enabled for hot-blocks profiling; do not pass -Daddress-map=n"
            );
        }
        self.run.common.debug.address_map = Some(true);

        let tmp_dir = tempdir().context("failed to create temp directory")?;

        // Compile the input Wasm to a .cwasm, emitting CLIF to the temp dir.
        let clif_dir = tmp_dir.path().join("clif");
        std::fs::create_dir(&clif_dir)?;
        let cwasm_path = tmp_dir.path().join("module.cwasm");

        let wasm_bytes =
            Cow::Owned(std::fs::read(&self.module).with_context(|| {
                format!("failed to read Wasm module: {}", self.module.display())
            })?);
        #[cfg(feature = "wat")]
        let wasm_bytes = wat::parse_bytes(&wasm_bytes).map_err(|mut e| {
            e.set_path(&self.module);
            e
        })?;

        let engine = self.compile_to_cwasm(&clif_dir, &cwasm_path, &wasm_bytes)?;

        // Run perf record.
        let perf_data_path = tmp_dir.path().join("perf.data");
        self.run_perf_record(&cwasm_path, &perf_data_path)?;

        // Run perf script and parse samples.
        let (samples, total_samples) = self.run_perf_script(&perf_data_path)?;

        let target = match self.run.common.target.as_deref() {
            None => target_lexicon::Triple::host(),
            Some(t) => target_lexicon::Triple::from_str(t)?,
        };

        // Build the WAT offset map using wasmprinter.
        let wat_map = build_wat_offset_map(&wasm_bytes);

        // Deserialize the cwasm to extract functions, text, and address map.
        self.run.allow_precompiled = true;
        let run_target = self.run.load_module(&engine, &cwasm_path, None)?;
        let (functions, text, address_map) = match &run_target {
            RunTarget::Core(module) => (
                module.functions().collect::<Vec<_>>(),
                module.text(),
                module
                    .address_map()
                    .ok_or_else(|| {
                        format_err!("address maps are not available in the compiled module")
                    })?
                    .collect::<Vec<_>>(),
            ),
            #[cfg(feature = "component-model")]
            RunTarget::Component(component) => (
                component.functions().collect::<Vec<_>>(),
                component.text(),
                component
                    .address_map()
                    .ok_or_else(|| {
                        format_err!("address maps are not available in the compiled component")
                    })?
                    .collect::<Vec<_>>(),
            ),
        };

        let mut output: Box<dyn Write> = match &self.output {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("failed to create output file: {}", path.display()))?;
                Box::new(BufWriter::new(file))
            }
            None => Box::new(io::stdout()),
        };

        self.format_hot_blocks(
            &samples,
            total_samples,
            &functions,
            &text,
            &address_map,
            &clif_dir,
            &wat_map,
            &target,
            &mut *output,
        )?;

        Ok(())
    }

    /// Compile the input Wasm bytes to a `.cwasm` file, emitting CLIF to `clif_dir`.
    ///
    /// Returns the engine used for compilation.
    fn compile_to_cwasm(
        &mut self,
        clif_dir: &Path,
        cwasm_path: &Path,
        wasm_bytes: &[u8],
    ) -> Result<Engine> {
        let mut config = self.run.common.config(None)?;
        config.emit_clif(clif_dir);

        let engine = Engine::new(&config)?;

        let mut code = CodeBuilder::new(&engine);
        code.wasm_binary_or_text(wasm_bytes, Some(&self.module))?;

        let serialized = match code.hint() {
            #[cfg(feature = "component-model")]
            Some(CodeHint::Component) => code.compile_component_serialized()?,
            #[cfg(not(feature = "component-model"))]
            Some(CodeHint::Component) => {
                bail!("component model support was disabled at compile time")
            }
            Some(CodeHint::Module) | None => code.compile_module_serialized()?,
        };
        std::fs::write(cwasm_path, &serialized)
            .with_context(|| format!("failed to write cwasm: {}", cwasm_path.display()))?;

        Ok(engine)
    }


}
