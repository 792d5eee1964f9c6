// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `xtask-wasm` 0.6.6
// (https://static.crates.io/crates/xtask-wasm/xtask-wasm-0.6.6.crate), file `src/wasm_opt.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/xtask-wasm-LICENSE.Apache-2.0, ../licences/xtask-wasm-LICENSE.MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl WasmOpt {

    /// Optimize the Wasm binary provided by `binary_path`.
    ///
    /// This function will execute `wasm-opt` over the given Wasm binary,
    /// downloading it if necessary (cached into the `target` directory).
    pub fn optimize(self, binary_path: impl AsRef<Path>) -> Result<Self> {
        let input_path = binary_path.as_ref();
        let output_path = input_path.with_extension("opt");
        let wasm_opt = download_wasm_opt()?;

        let mut command = process::Command::new(wasm_opt);
        command
            .stderr(process::Stdio::inherit())
            .arg(input_path)
            .arg("-o")
            .arg(&output_path)
            .arg("-O")
            .arg("-ol")
            .arg(self.optimization_level.to_string())
            .arg("-s")
            .arg(self.shrink_level.to_string());

        if self.debug_info {
            command.arg("-g");
        }

        #[cfg(target_os = "macos")]
        {
            command.env("DYLD_LIBRARY_PATH", wasm_opt.parent().unwrap());
        }

        log::info!("Optimizing Wasm");
        ensure!(
            command.output()?.status.success(),
            "command `wasm-opt` failed"
        );

        fs::remove_file(input_path)?;
        fs::rename(&output_path, input_path)?;

        log::info!("Wasm optimized");
        Ok(self)
    }
}
