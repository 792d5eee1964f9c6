// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-c` 0.10.26+cargo-0.100.0
// (https://static.crates.io/crates/cargo-c/cargo-c-0.10.26+cargo-0.100.0.crate), file `src/install.rs`.
// Licence: MIT (see ../licences/cargo-c-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
pub fn copy<P: AsRef<Path>, Q: AsRef<Path>>(ws: &Workspace, from: P, to: Q) -> anyhow::Result<u64> {
    ws.gctx().shell().verbose(|shell| {
        shell.status(
            "Copying",
            format!("{} to {}", from.as_ref().display(), to.as_ref().display()),
        )
    })?;

    paths::copy(from, to)
}

pub fn cinstall(ws: &Workspace, packages: &[CPackage]) -> anyhow::Result<()> {
    for pkg in packages {
        let paths = &pkg.install_paths;
        let capi_config = &pkg.capi_config;
        let build_targets = &pkg.build_targets;

        let destdir = &paths.destdir;

        let install_path_bin = append_to_destdir(destdir.as_deref(), &paths.bindir);
        let install_path_lib =
            append_to_destdir(destdir.as_deref(), &paths.lib_install_dir(capi_config));
        let install_path_pc = append_to_destdir(destdir.as_deref(), &paths.pkgconfigdir);
        let install_path_include = append_to_destdir(destdir.as_deref(), &paths.includedir);
        let install_path_data = append_to_destdir(destdir.as_deref(), &paths.datadir);

        create_dir_all(&install_path_lib)?;
        if !capi_config.library.plugin {
            create_dir_all(&install_path_pc)?;

            ws.gctx().shell().status("Installing", "pkg-config file")?;

            copy(
                ws,
                &build_targets.pc,
                install_path_pc.join(build_targets.pc.file_name().unwrap()),
            )?;
        }

        if capi_config.header.enabled {
            ws.gctx().shell().status("Installing", "header file")?;
            for (from, to) in build_targets.extra.include.iter() {
                let to = install_path_include.join(to);
                create_dir_all(to.parent().unwrap())?;
                copy(ws, from, to)?;
            }
        }

        if !build_targets.extra.data.is_empty() {
            ws.gctx().shell().status("Installing", "data file")?;
            for (from, to) in build_targets.extra.data.iter() {
                let to = install_path_data.join(to);
                create_dir_all(to.parent().unwrap())?;
                copy(ws, from, to)?;
            }
        }

        if let Some(ref static_lib) = build_targets.static_lib {
            if !capi_config.library.plugin {
                ws.gctx().shell().status("Installing", "static library")?;
                let file_name = build_targets.static_output_file_name().unwrap();

                copy(ws, static_lib, install_path_lib.join(file_name))?;
            }
        }

        if let Some(ref shared_lib) = build_targets.shared_lib {
            ws.gctx().shell().status("Installing", "shared library")?;

            let lib_type = LibType::from_build_targets(build_targets);
            match lib_type {
                LibType::So | LibType::Dylib => {
                    let lib = UnixLibNames::new(lib_type, &capi_config.library).unwrap();
                    lib.install(ws, capi_config, shared_lib, &install_path_lib)?;
                }
                LibType::Windows => {
                    let lib_name = build_targets.shared_output_file_name().unwrap();

                    if capi_config.library.install_subdir.is_none() {
                        let install_path_bin = append_to_destdir(destdir.as_deref(), &paths.bindir);
                        create_dir_all(&install_path_bin)?;

                        copy(ws, shared_lib, install_path_bin.join(lib_name))?;
                    } else {
                        // We assume they are plugins, install them in the custom libdir path
                        copy(ws, shared_lib, install_path_lib.join(lib_name))?;
                    }
                    if capi_config.library.import_library {
                        let impl_lib = build_targets.impl_lib.as_ref().unwrap();
                        let impl_lib_name = impl_lib.file_name().unwrap();
                        copy(ws, impl_lib, install_path_lib.join(impl_lib_name))?;
                        let def = build_targets.def.as_ref().unwrap();
                        let def_name = def.file_name().unwrap();
                        copy(ws, def, install_path_lib.join(def_name))?;
                    }
                }
            }
        }

        if let Some(ref debug_info) = build_targets.debug_info {
            if debug_info.exists() {
                ws.gctx()
                    .shell()
                    .status("Installing", "debugging information")?;

                let destination_path = if capi_config.library.install_subdir.is_none() {
                    build_targets
                        .debug_info_file_name(&install_path_bin, &install_path_lib)
                        .unwrap()
                } else {
                    // We assume they are plugins, install them in the custom libdir path
                    build_targets
                        .debug_info_file_name(&install_path_lib, &install_path_lib)
                        .unwrap()
                };

                create_dir_all(destination_path.parent().unwrap())?;
                if debug_info.is_dir() {
                    let files = debug_info.read_dir()?.collect::<Result<Vec<_>, _>>()?;
                    for f in files.iter() {
                        let src = f.path();
                        let file_name = src.strip_prefix(debug_info)?;
                        let dst = destination_path.join(file_name);
                        match std::fs::create_dir_all(
                            dst.parent().expect("Source path is not complete"),
                        ) {
                            Ok(()) => Ok(()),
                            Err(v) => {
                                if v.kind() == ErrorKind::AlreadyExists {
                                    Ok(())
                                } else {
                                    Err(v)
                                }
                            }
                        }?;
                        copy(ws, src, dst)?;
                    }
                } else {
                    copy(ws, debug_info, destination_path)?;
                }
            } else {
                ws.gctx()
                    .shell()
                    .verbose(|shell| shell.status("Absent", "debugging information"))?;
            }
        }
    }

    Ok(())
}
