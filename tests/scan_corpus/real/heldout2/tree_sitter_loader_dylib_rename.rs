// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tree-sitter-loader` 0.27.1
// (https://static.crates.io/crates/tree-sitter-loader/tree-sitter-loader-0.27.1.crate), file `src/loader.rs`.
// Licence: MIT (see ../licences/tree-sitter-loader-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Loader {

    fn compile_parser_to_dylib(&self, config: &CompileConfig) -> LoaderResult<()> {
        let mut cc_config = cc::Build::new();
        cc_config
            .cargo_metadata(false)
            .cargo_warnings(false)
            .target(BUILD_TARGET)
            // BUILD_TARGET from the build environment becomes a runtime host for cc.
            // Otherwise, when cross compiled, cc will keep looking for a cross-compiler
            // on the target system instead of the native compiler.
            .host(BUILD_TARGET)
            .debug(self.debug_build)
            .file(&config.parser_path)
            .includes(&config.header_paths)
            .std("c11");

        if let Some(scanner_path) = config.scanner_path.as_ref() {
            cc_config.file(scanner_path);
        }

        if self.debug_build {
            cc_config.opt_level(0).extra_warnings(true);
        } else {
            cc_config.opt_level(2).extra_warnings(false);
        }

        for flag in config.flags {
            cc_config.define(flag, None);
        }

        let compiler = cc_config.get_compiler();
        let mut command = compiler.to_command();

        let output_path = config.output_path.as_ref().unwrap();

        // Compile to a temporary path, then atomically rename into place.
        // This ensures loaders never see a half-written .so file.
        let temp_output = temp_path(output_path);

        let temp_dir = if compiler.is_like_msvc() {
            let out = format!("-out:{}", temp_output.to_str().unwrap());
            command.arg(if self.debug_build { "-LDd" } else { "-LD" });
            command.arg("-utf-8");

            // Windows creates intermediate files when compiling (.exp, .lib, .obj), which causes
            // issues when multiple processes are compiling in the same directory. This creates a
            // temporary directory for those files to go into, which is deleted after compilation.
            let temp_dir = output_path.parent().unwrap().join(format!(
                "tmp_{}_{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&temp_dir).unwrap();

            command.arg(format!("/Fo{}\\", temp_dir.display()));
            command.args(cc_config.get_files());
            command.arg("-link").arg(out);
            command.arg(format!("/IMPLIB:{}.lib", temp_dir.join("temp").display()));

            Some(temp_dir)
        } else {
            command.arg("-Werror=implicit-function-declaration");
            if cfg!(any(target_os = "macos", target_os = "ios")) {
                command.arg("-dynamiclib");
                // TODO: remove when supported
                command.arg("-UTREE_SITTER_REUSE_ALLOCATOR");
            } else {
                command.arg("-shared");
                // Sanitizer builds reference runtime symbols that `--no-undefined`
                // would reject at link time.
                let sanitizing = compiler
                    .args()
                    .iter()
                    .any(|a| a.to_str().is_some_and(|s| s.starts_with("-fsanitize=")));
                if !sanitizing {
                    command.arg("-Wl,--no-undefined");
                }
                #[cfg(target_os = "openbsd")]
                command.arg("-lc");
            }
            command.args(cc_config.get_files());
            command.arg("-o").arg(&temp_output);

            None
        };

        if self.verbose {
            display_build_cmd(&command);
        }

        let output = command.output().map_err(|e| {
            LoaderError::Compiler(CompilerError {
                error: e,
                command: Box::new(command),
            })
        })?;

        if self.verbose {
            if !output.stdout.is_empty() {
                info!("stdout:{}", String::from_utf8_lossy(&output.stdout));
            }
            if !output.stderr.is_empty() {
                info!("stderr:{}", String::from_utf8_lossy(&output.stderr));
            }
        }

        if let Some(temp_dir) = temp_dir {
            let _ = fs::remove_dir_all(temp_dir);
        }

        if output.status.success() {
            fs::rename(&temp_output, output_path).map_err(|e| {
                let _ = fs::remove_file(&temp_output);
                LoaderError::IO(IoError::new(e, Some(output_path)))
            })?;
            Ok(())
        } else {
            let _ = fs::remove_file(&temp_output);
            Err(LoaderError::Compilation(
                String::from_utf8_lossy(&output.stdout).to_string(),
                String::from_utf8_lossy(&output.stderr).to_string(),
            ))
        }
    }

}
