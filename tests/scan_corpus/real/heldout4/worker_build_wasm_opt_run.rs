// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `worker-build` 0.8.7
// (https://static.crates.io/crates/worker-build/worker-build-0.8.7.crate), file `src/build/mod.rs`.
// Licence: Apache-2.0 (see ../licences/worker-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Execute `wasm-opt` over wasm binaries found in `out_dir`, downloading if
/// necessary into `cache`. Passes `args` to each invocation of `wasm-opt`.
pub fn wasm_opt_run(out_dir: &Path, args: &[String]) -> Result<()> {
    let wasm_opt_path = WasmOpt.get_binary(None)?.0;

    PBAR.info("Optimizing wasm binaries with `wasm-opt`...");

    for file in out_dir.read_dir()? {
        let file = file?;
        let path = file.path();
        if path.extension().and_then(|s| s.to_str()) != Some("wasm") {
            continue;
        }

        let tmp = path.with_extension("wasm-opt.wasm");
        let mut cmd = Command::new(&wasm_opt_path);
        cmd.arg(&path).arg("-o").arg(&tmp).args(args);
        utils::run(cmd, "wasm-opt")?;
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("Failed to rename {} to {}", tmp.display(), path.display()))?;
    }

    Ok(())
}
