// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-wasix` 0.1.34
// (https://static.crates.io/crates/cargo-wasix/cargo-wasix-0.1.34.crate), file `src/lib.rs`.
// Licence: Apache-2.0 WITH LLVM-exception (see ../licences/cargo-wasix-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
fn rmain(config: &mut Config) -> Result<()> {
    config.load_cache()?;

    // skip the current executable and the `wasix` inserted by Cargo
    let mut no_message_format = false;
    let mut args = env::args_os().skip(2);

    let mut subcommand = args.next().and_then(|s| s.into_string().ok());

    // A leading `+toolchain-name` overrides the default `wasix` toolchain,
    // e.g. `cargo wasix +wasix-local build`.
    let toolchain_override = match subcommand.as_deref().and_then(|s| s.strip_prefix('+')) {
        Some(name) => {
            if name.is_empty() {
                bail!("expected a toolchain name after `+`, e.g. `cargo wasix +wasix-local build`");
            }
            let name = name.to_string();
            subcommand = args.next().and_then(|s| s.into_string().ok());
            Some(name)
        }
        None => None,
    };
    let subcommand = match subcommand.as_deref() {
        Some("build") => Subcommand::Build,
        Some("download-toolchain") => Subcommand::DownloadToolchain,
        Some("run") => Subcommand::Run,
        Some("test") => Subcommand::Test,
        Some("bench") => Subcommand::Bench,
        Some("check") => Subcommand::Check,
        Some("tree") => {
            no_message_format = true;
            Subcommand::Tree
        }
        Some("fix") => Subcommand::Fix,
        Some("init") => {
            let (_, workspace_root) = read_manifest_config()?;
            return registry::init(config, &workspace_root);
        }
        Some("self") => return internal::main(&args.collect::<Vec<_>>(), config),
        Some("version") | Some("-V") | Some("--version") => {
            let git_info = match option_env!("GIT_INFO") {
                Some(s) => format!(" ({})", s),
                None => String::new(),
            };
            println!("cargo-wasix {}{}", env!("CARGO_PKG_VERSION"), git_info);
            std::process::exit(0)
        }
        _ => print_help(),
    };

    let mut cargo = Command::new("cargo");
    cargo.arg(format!(
        "+{}",
        toolchain_override.as_deref().unwrap_or("wasix")
    ));
    cargo.arg(match &subcommand {
        Subcommand::Build => "build",
        Subcommand::DownloadToolchain => "download-toolchain",
        Subcommand::Check => "check",
        Subcommand::Fix => "fix",
        Subcommand::Test => "test",
        Subcommand::Tree => "tree",
        Subcommand::Bench => "bench",
        Subcommand::Run => "run",
    });

    let (manifest_config, workspace_root) = if matches!(&subcommand, Subcommand::DownloadToolchain)
    {
        (Default::default(), None)
    } else {
        let (manifest_config, workspace_root) = read_manifest_config()?;
        (manifest_config, Some(workspace_root))
    };

    let target = if manifest_config.dl.unwrap_or(false) {
        "wasm32-wasmer-wasi-dl"
    } else {
        "wasm32-wasmer-wasi"
    };

    cargo.arg("--target").arg(target);
    if !no_message_format {
        cargo.arg("--message-format").arg("json-render-diagnostics");
    }

    let args = args.collect::<Vec<_>>();
    let (cargo_args, wasmer_args) = args::split_cargo_and_wasmer_args(args)?;
    for arg in cargo_args.iter() {
        if let Some(arg) = arg.to_str()
            && (arg.starts_with("--verbose") || arg.starts_with("-v"))
        {
            config.set_verbose(true);
        }

        cargo.arg(arg);
    }

    let runtime_args = match &subcommand {
        Subcommand::Test | Subcommand::Bench => {
            let manifest_dir = runtime::resolve_manifest_dir(&cargo_args)?;
            let mut runtime_args = runtime::default_runtime_args(&manifest_dir)?;
            runtime_args.extend(wasmer_args);
            runtime_args
        }
        Subcommand::Run => wasmer_args,
        _ => Vec::new(),
    };

    let runner_env_var = format!(
        "CARGO_TARGET_{}_RUNNER",
        target.to_uppercase().replace('-', "_")
    );

    // If Cargo actually executes a wasm file, we don't want it to. We need to
    // postprocess wasm files (wasm-opt, wasm-bindgen, etc). As a result we will
    // actually postprocess wasm files after the build. To work around this we
    // could pass `--no-run` for `test`/`bench`, but there's unfortunately no
    // equivalent for `run`. Additionally we want to learn what arguments Cargo
    // parsed to pass to each wasm file.
    //
    // To solve this all we do a bit of a switcharoo. We say that *we* are the
    // runner, and our binary is configured to simply print a json message at
    // the beginning. We'll slurp up these json messages and then actually
    // execute everything at the end.
    //
    // Also note that we check here before we actually build that a runtime is
    // present. We first check the CARGO_TARGET_WASM32_WASMER_WASI_RUNNER environement
    // variable for a user-supplied runtime (path or executable) and use the
    // default, namely `wasmer`, if it is not set.
    let (wasix_runner, using_default) = env::var(&runner_env_var)
        .map(|runner_override| (runner_override, false))
        .unwrap_or_else(|_| ("wasmer".to_string(), true));

    match &subcommand {
        Subcommand::DownloadToolchain => {
            let version = cargo_args
                .first()
                .cloned()
                .map(|v| v.into_string().unwrap().into())
                .unwrap_or(toolchain::ToolchainSpec::Latest);
            let _lock = Config::acquire_lock()?;
            let chain = toolchain::install_prebuilt_toolchain(&Config::toolchain_dir()?, version)?;
            config.info(&format!(
                "Toolchain {} downloaded and installed to path {}.\nThe wasix toolchain is now ready to use.",
                chain.name,
                chain.path.display(),
            ));
            return Ok(());
        }
        Subcommand::Run | Subcommand::Bench | Subcommand::Test => {
            if !using_default {
                // check if the override is either a valid path or command found on $PATH
                if !(Path::new(&wasix_runner).exists() || which::which(&wasix_runner).is_ok()) {
                    bail!(
                        "failed to find `{}` (specified by ${runner_env_var}) \
                         on the filesytem or in $PATH, you'll want to fix the path or unset \
                         the ${runner_env_var} environment variable before \
                         running this command\n",
                        &wasix_runner
                    );
                }
            } else if which::which(&wasix_runner).is_err() {
                let mut msg = format!(
                    "failed to find `{}` in $PATH, you'll want to \
                     install `{}` before running this command\n",
                    wasix_runner, wasix_runner
                );
                // Because we know what runtime is being used here, we can print
                // out installation information.
                msg.push_str("you can also install through a shell:\n\n");
                msg.push_str("\tcurl https://get.wasmer.io -sSfL | sh\n");
                bail!("{}", msg);
            }
            cargo.env("__CARGO_WASIX_RUNNER_SHIM", "1");
            cargo.env(runner_env_var, env::current_exe()?);
        }
        Subcommand::Build | Subcommand::Check | Subcommand::Tree | Subcommand::Fix => {}
    }

    let update_check_opt = if config.is_offline {
        Some(internal::UpdateCheck::new(config))
    } else {
        None
    };
    let toolchain = toolchain::ensure_toolchain(config, toolchain_override.as_deref())?;

    // SAFETY: not safe in multi-threaded environment
    unsafe { std::env::set_var("RUSTUP_TOOLCHAIN", &toolchain.name) };

    // Set some flags for rustc (only if RUSTFLAGS is not already set)
    if std::env::var("RUSTFLAGS").is_err() {
        // SAFETY: not safe in multi-threaded environment
        unsafe {
            env::set_var(
                "RUSTFLAGS",
                "-C target-feature=+atomics,+simd128,+relaxed-simd,+extended-const",
            );
        }
    }

    // Point the `cc` crate (and anything else honoring its conventions) at
    // the wasixcc toolchain when it's installed. The variables are scoped to
    // the target — `cc` checks `CC_<target>` before `TARGET_CC` and `CC` —
    // so a host compiler configured in the user's environment neither blocks
    // this nor leaks into the WASIX build, and the user's generic setting is
    // never touched. A target-scoped variable already set by the user (in
    // either the dashed or underscored spelling) is respected.
    for (tool, wasix_tool) in [
        ("CC", "wasixcc"),
        ("CXX", "wasixcc++"),
        ("AR", "wasixar"),
        ("RANLIB", "wasixranlib"),
    ] {
        let dashed = format!("{tool}_{target}");
        let underscored = format!("{tool}_{}", target.replace('-', "_"));
        if env::var_os(&dashed).is_some() || env::var_os(&underscored).is_some() {
            continue;
        }
        if which::which(wasix_tool).is_ok() {
            // SAFETY: not safe in multi-threaded environment
            unsafe { env::set_var(&underscored, wasix_tool) };
            config.verbose(|| config.info(&format!("Set {underscored}={wasix_tool}")));
        }
    }

    // The Rust toolchain builds in the legacy exception-handling
    // configuration (its sysroot is the legacy-EH wasix-libc build), while
    // wasixcc defaults to exnref. Force wasixcc to legacy — overriding any
    // value from the environment — so C/C++ objects match the Rust side of
    // the binary; wasm-opt translates the whole module to exnref afterwards.
    if which::which("wasixcc").is_ok() {
        // SAFETY: not safe in multi-threaded environment
        unsafe { env::set_var("WASIXCC_WASM_EXCEPTIONS", "legacy") };
        config.verbose(|| config.info("Set WASIXCC_WASM_EXCEPTIONS=legacy"));
    }

    // For the -dl target, enable position-independent code for dynamic
    // linking (with legacy EH above, this selects wasixcc's sysroot-ehpic —
    // the same configuration the Rust toolchain's dl sysroot uses).
    if target.ends_with("-dl") && std::env::var("WASIXCC_PIC").is_err() {
        // SAFETY: not safe in multi-threaded environment
        unsafe { env::set_var("WASIXCC_PIC", "1") };
        config.verbose(|| config.info("Set WASIXCC_PIC=1 for -dl target"));
    }

    // Make sure the project resolves crates through the WASIX overlay
    // registry before running cargo. Every subcommand from here on resolves
    // the dependency graph (`download-toolchain` returned above), including
    // `tree` (which should show the fork versions a build would use) and
    // `fix` (which compiles just like `check`).
    if !registry::config_write_disabled()
        && let Some(workspace_root) = &workspace_root
        && let Err(err) = registry::ensure_config(config, workspace_root)
    {
        config.warn(&format!("failed to configure the WASIX registry: {err:#}"));
    }

    // Run the cargo commands
    let build = execute_cargo(&mut cargo, config, manifest_config)?;

    config.info("Post-processing WebAssembly files");

    for (wasm, profile, fresh) in build.wasms.iter() {
        // Cargo will always overwrite our `wasm` above with its own internal
        // cache. It's internal cache largely uses hard links.
        //
        // If `fresh` is *false*, then Cargo just built `wasm` and we need to
        // process it. If `fresh` is *true*, then we may have previously
        // processed it. If our previous processing was successful the output
        // was placed at `*.wasi.wasm`, so we use that to overwrite the
        // `*.wasm` file. In the process we also create a `*.rustc.wasm` for
        // debugging.
        //
        // Note that we remove files before renaming and such to ensure that
        // we're not accidentally updating the wrong hard link and such.
        let temporary_rustc = wasm.with_extension("rustc.wasm");
        let temporary_wasi = wasm.with_extension("wasi.wasm");

        drop(fs::remove_file(&temporary_rustc));
        fs::rename(wasm, &temporary_rustc)?;
        if !*fresh || !temporary_wasi.exists() {
            let result = process_wasm(&temporary_wasi, &temporary_rustc, profile, &build, config);
            result.with_context(|| {
                format!("failed to process wasm at `{}`", temporary_rustc.display())
            })?;
        }
        drop(fs::remove_file(wasm));
        fs::hard_link(&temporary_wasi, wasm)
            .or_else(|_| fs::copy(&temporary_wasi, wasm).map(|_| ()))?;
    }

    for run in build.runs.iter() {
        config.status("Running", &format!("`{}`", run.join(" ")));
        let mut cmd = Command::new(&wasix_runner);

        runtime::configure_runtime_command(&mut cmd, &wasix_runner, &runtime_args, run);
        cmd.run()
            .map_err(|e| utils::hide_normal_process_exit(e, config))?;
    }

    if let Some(check) = update_check_opt {
        check.print();
    }
    Ok(())
}

/// Process a wasm file that doesn't use `wasm-bindgen`.
fn process_wasm(
    wasm: &Path,
    temp: &Path,
    profile: &Profile,
    build: &CargoBuild,
    config: &Config,
) -> Result<()> {
    config.verbose(|| {
        config.status("Processing", &temp.display().to_string());
    });
    run_wasm_opt(wasm, temp, profile, build, config)?;
    Ok(())
}

fn run_wasm_opt(
    wasm: &Path,
    temp: &Path,
    profile: &Profile,
    build: &CargoBuild,
    config: &Config,
) -> Result<()> {
    // Allow explicitly disabling wasm-opt via `Cargo.toml`.
    if build.manifest_config.wasm_opt == Some(false) {
        std::fs::rename(temp, wasm).context("failed to rename build output")?;
        return Ok(());
    }

    config.status("Optimizing", "with wasm-opt");
    let wasm_opt = config.get_wasm_opt();

    let mut cmd = Command::new(wasm_opt.bin_path());
    cmd.arg(temp);
    cmd.arg(format!("-O{}", profile.opt_level));
    cmd.arg("-o").arg(wasm);
    cmd.arg("--enable-bulk-memory");
    cmd.arg("--enable-threads");
    cmd.arg("--enable-reference-types");
    cmd.arg("--no-validation");
    // `--emit-exnref` runs the legacy-EH-to-exnref translation at the end of
    // the whole pass pipeline regardless of argument order (unlike
    // `--translate-to-exnref`, which is an ordinary pass executed at its
    // position on the command line).
    cmd.arg("--emit-exnref");

    if !build.enable_producers_section(profile) {
        cmd.arg("--strip-producers");
    }

    match profile.debuginfo {
        Some(0) | None => {
            // release build
            if build.enable_name_section(profile) {
                cmd.arg("--debuginfo");
            } else {
                cmd.arg("--strip-debug");
            }
        }
        Some(_) if profile.opt_level == "0" => {
            // debug build
            cmd.arg("--debuginfo");
        }
        _ => {
            // release build
            cmd.arg("--strip-debug");
        }
    }

    run_or_download(
        wasm_opt.bin_path(),
        wasm_opt.is_overridden(),
        &mut cmd,
        config,
        || install_wasm_opt(&wasm_opt, config),
    )
    .context("`wasm-opt` failed to execute")?;
    Ok(())
}
