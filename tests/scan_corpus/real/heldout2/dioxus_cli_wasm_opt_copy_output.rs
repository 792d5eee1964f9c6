// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dioxus-cli` 0.7.10
// (https://static.crates.io/crates/dioxus-cli/dioxus-cli-0.7.10.crate), file `src/wasm_opt.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/dioxus-cli-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl WasmOpt {

    pub async fn optimize(&self) -> Result<()> {
        let mut command = self.build_command();
        let res = command.output().await?;

        if !res.status.success() {
            let err = String::from_utf8_lossy(&res.stderr);
            tracing::error!(
                telemetry = %serde_json::json!({ "event": "wasm_opt_failed" }),
                "wasm-opt failed with status code {}\nstderr: {}\nstdout: {}",
                res.status,
                err,
                String::from_utf8_lossy(&res.stdout)
            );
            // A failing wasm-opt execution may leave behind an empty file so copy the original file instead.
            if self.input_path != self.output_path {
                std::fs::copy(&self.input_path, &self.output_path).unwrap();
            }
        } else {
            std::fs::copy(self.temporary_output_path.path(), &self.output_path).unwrap();
        }

        Ok(())
    }
}
