// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `wasm-bindgen-cli-support` 0.2.130
// (https://static.crates.io/crates/wasm-bindgen-cli-support/wasm-bindgen-cli-support-0.2.130.crate), file `src/lib.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/wasm-bindgen-cli-support-LICENSE-APACHE, ../licences/wasm-bindgen-cli-support-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Output {

    pub fn emit(&mut self, out_dir: impl AsRef<Path>) -> Result<(), Error> {
        self._emit(out_dir.as_ref())
    }

    fn _emit(&mut self, out_dir: &Path) -> Result<(), Error> {
        let wasm_name = format!("{}_bg", self.stem);
        let wasm_path = out_dir.join(&wasm_name).with_extension("wasm");
        fs::create_dir_all(out_dir)?;

        let wasm_bytes = self.module.emit_wasm();
        let wasm_bytes = if self.split_debug_info {
            let debug_name = format!("{wasm_name}.debug.wasm");
            let url = self.debug_info_url.as_deref().unwrap_or(&debug_name);
            let main_bytes = split_debug_info(&wasm_bytes, url)?;
            let debug_path = out_dir.join(&debug_name);
            fs::write(&debug_path, &wasm_bytes)
                .with_context(|| format!("failed to write `{}`", debug_path.display()))?;
            main_bytes
        } else {
            wasm_bytes
        };
        fs::write(&wasm_path, wasm_bytes)
            .with_context(|| format!("failed to write `{}`", wasm_path.display()))?;

        let gen = &self.generated;

        // Write out all local JS snippets to the final destination now that
        // we've collected them from all the programs.
        for (identifier, list) in gen.snippets.iter() {
            for (i, js) in list.iter().enumerate() {
                let name = format!("inline{i}.js");
                let path = out_dir.join("snippets").join(identifier).join(name);
                fs::create_dir_all(path.parent().unwrap())?;
                fs::write(&path, js)
                    .with_context(|| format!("failed to write `{}`", path.display()))?;
            }
        }

        for (path, contents) in gen.local_modules.iter() {
            let path = out_dir.join("snippets").join(path);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(&path, contents)
                .with_context(|| format!("failed to write `{}`", path.display()))?;
        }

        let is_genmode_nodemodule = matches!(gen.mode, OutputMode::Node { module: true });
        if !gen.npm_dependencies.is_empty() || is_genmode_nodemodule {
            #[derive(serde::Serialize)]
            struct PackageJson<'a> {
                #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
                ty: Option<&'static str>,
                dependencies: BTreeMap<&'a str, &'a str>,
            }
            let pj = PackageJson {
                ty: is_genmode_nodemodule.then_some("module"),
                dependencies: gen
                    .npm_dependencies
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.1.as_str()))
                    .collect(),
            };
            let json = serde_json::to_string_pretty(&pj)?;
            fs::write(out_dir.join("package.json"), json)?;
        }

        // And now that we've got all our JS and TypeScript, actually write it
        // out to the filesystem.
        let extension = "js";

        fn write<P, C>(path: P, contents: C) -> Result<(), anyhow::Error>
        where
            P: AsRef<Path>,
            C: AsRef<[u8]>,
        {
            fs::write(&path, contents)
                .with_context(|| format!("failed to write `{}`", path.as_ref().display()))
        }

        let js_path = out_dir.join(&self.stem).with_extension(extension);
        if matches!(self.generated.mode, OutputMode::Emscripten) {
            let emscripten_js_path = out_dir.join("library_bindgen.js");
            write(&emscripten_js_path, reset_indentation(&gen.js))?;
            // When the user crate imports from an ESM module
            // (`#[wasm_bindgen(module = "...")]`), we emit those imports to a
            // sidecar `library_bindgen.extern-pre.js`. Consumers pass it to
            // emcc with `--extern-pre-js`, which prepends it before emcc's
            // modularize wrapper — ESM imports can only legally live there.
            // Skip writing when empty so consumers don't accidentally pick
            // up a stale file from a previous build.
            let extern_pre_js_path = out_dir.join("library_bindgen.extern-pre.js");
            if gen.emscripten_extern_pre_js.is_empty() {
                let _ = fs::remove_file(&extern_pre_js_path);
            } else {
                write(
                    &extern_pre_js_path,
                    reset_indentation(&gen.emscripten_extern_pre_js),
                )?;
            }
        } else {
            write(&js_path, reset_indentation(&gen.js))?;
        }

        if let Some(start) = &gen.start {
            let js_path = out_dir.join(wasm_name).with_extension(extension);
            write(&js_path, reset_indentation(start))?;
        }

        if gen.typescript {
            let ts_path = js_path.with_extension("d.ts");
            fs::write(&ts_path, reset_indentation(&gen.ts))
                .with_context(|| format!("failed to write `{}`", ts_path.display()))?;
        }

        if gen.typescript {
            let ts_path = wasm_path.with_extension("wasm.d.ts");
            let ts = wasm2es6js::typescript(&self.module)?;
            fs::write(&ts_path, reset_indentation(&ts))
                .with_context(|| format!("failed to write `{}`", ts_path.display()))?;
        }

        Ok(())
    }
}
