// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `uv-install-wheel` 0.0.98
// (https://static.crates.io/crates/uv-install-wheel/uv-install-wheel-0.0.98.crate), file `src/wheel.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/uv-install-wheel-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
///
/// Binary files are moved with a copy fallback, while we rewrite scripts' shebangs if applicable.
fn install_script(
    layout: &Layout,
    relocatable: bool,
    site_packages: &Path,
    record: &mut [RecordEntry],
    file: &DirEntry,
    #[allow(unused)] rename_or_copy: &mut RenameOrCopy,
) -> Result<(), Error> {
    let file_type = file.file_type()?;

    if file_type.is_dir() {
        return Err(Error::InvalidWheel(format!(
            "Wheel contains an invalid entry (directory) in the `scripts` directory: {}",
            file.path().simplified_display()
        )));
    }

    if file_type.is_symlink() {
        let Ok(target) = file.path().canonicalize() else {
            return Err(Error::InvalidWheel(format!(
                "Wheel contains an invalid entry (broken symlink) in the `scripts` directory: {}",
                file.path().simplified_display(),
            )));
        };
        if target.is_dir() {
            return Err(Error::InvalidWheel(format!(
                "Wheel contains an invalid entry (directory symlink) in the `scripts` directory: {} ({})",
                file.path().simplified_display(),
                target.simplified_display()
            )));
        }
    }

    let script_absolute = layout.scheme.scripts.join(file.file_name());
    validate_data_script_destination(&script_absolute, &layout.scheme.scripts)?;
    let script_relative =
        pathdiff::diff_paths(&script_absolute, site_packages).ok_or_else(|| {
            Error::Io(io::Error::other(format!(
                "Could not find relative path for: {}",
                script_absolute.simplified_display()
            )))
        })?;

    let path = file.path();
    let mut script = BufReader::new(File::open(&path)?);

    // https://sphinx-locales.github.io/peps/pep-0427/#recommended-installer-features
    // > In wheel, scripts are packaged in {distribution}-{version}.data/scripts/.
    // > If the first line of a file in scripts/ starts with exactly b'#!python',
    // > rewrite to point to the correct interpreter. Unix installers may need to
    // > add the +x bit to these files if the archive was created on Windows.
    //
    // > The b'#!pythonw' convention is allowed. b'#!pythonw' indicates a GUI script
    // > instead of a console script.
    let placeholder_python = b"#!python";
    // scripts might be binaries, so we read an exact number of bytes instead of the first line as string
    let mut start = vec![0; placeholder_python.len()];
    match script.read_exact(&mut start) {
        Ok(()) => {}
        // Ignore scripts shorter than the buffer.
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => {}
        Err(err) => return Err(Error::Io(err)),
    }
    let size_and_encoded_hash = if start == placeholder_python {
        // `#!pythonw` denotes a GUI script.
        let is_gui = script.fill_buf()?.first() == Some(&b'w');

        // Read the rest of the first line, one byte at a time, until we hit a newline.
        let mut byte = [0u8; 1];
        loop {
            match script.read_exact(&mut byte) {
                Ok(()) => {
                    if byte[0] == b'\n' {
                        break;
                    }
                    if byte[0] == b'\r' {
                        if script.fill_buf()?.first() == Some(&b'\n') {
                            script.consume(1);
                        }
                        break;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(err) => return Err(Error::Io(err)),
            }
        }

        let executable = get_script_executable(&layout.sys_executable, is_gui);
        let executable = get_relocatable_executable(executable, layout, relocatable)?;
        let mut shebang = format_shebang(&executable, &layout.os_name, relocatable);
        let encoding = if shebang.starts_with(SHELL_SHEBANG) {
            // A multi-line launcher displaces the script's second line. Copy any source
            // encoding declaration into the launcher so Python still recognizes it.
            find_script_encoding(&mut script)?
        } else {
            None
        };

        let mut target = uv_fs::tempfile_in(&layout.scheme.scripts)?;
        let size_and_encoded_hash = if let Some(encoding) = encoding {
            let mut encoding_source = File::open(&path)?;
            encoding_source.seek(SeekFrom::Start(encoding.start))?;
            let executable = quote_executable_for_encoded_script(&executable);
            let shebang = format_shell_shebang(&executable, relocatable);
            let (shebang, launcher) = shebang.split_at(SHELL_SHEBANG.len());
            let mut contents = shebang
                .as_bytes()
                .chain(b"# coding: ".as_slice())
                .chain(encoding_source.take(encoding.end - encoding.start))
                .chain(b"\n".as_slice())
                .chain(launcher.as_bytes())
                .chain(b"\n".as_slice())
                .chain(script);
            copy_and_hash(&mut contents, &mut target)?
        } else {
            // Use appropriate line ending for the platform.
            shebang.push_str(if layout.os_name == "nt" { "\r\n" } else { "\n" });
            copy_and_hash(&mut shebang.as_bytes().chain(script), &mut target)?
        };

        persist_with_retry_sync(target, &script_absolute)?;
        fs::remove_file(&path)?;

        // Make the script executable. We just created the file, so we can set permissions directly.
        #[cfg(unix)]
        {
            use std::fs::Permissions;
            use std::os::unix::fs::PermissionsExt;

            let permissions = fs::metadata(&script_absolute)?.permissions();
            if permissions.mode() & 0o111 != 0o111 {
                fs::set_permissions(
                    script_absolute,
                    Permissions::from_mode(permissions.mode() | 0o111),
                )?;
            }
        }

        Some(size_and_encoded_hash)
    } else {
        // Reading and writing is slow (especially for large binaries), so we move them instead, if
        // we can. This also retains the file permissions. We _can't_ move (and must copy) if the
        // file permissions need to be changed, since we might not own the file.
        drop(script);

        #[cfg(unix)]
        {
            use std::fs::Permissions;
            use std::os::unix::fs::PermissionsExt;

            let permissions = fs::metadata(&path)?.permissions();
            if permissions.mode() & 0o111 == 0o111 {
                // If the permissions are already executable, we don't need to change them.
                // We fall back to copy when the file is on another drive.
                rename_or_copy.rename_or_copy(&path, &script_absolute)?;
            } else {
                // If we have to modify the permissions, copy the file, since we might not own it,
                // and we may not be allowed to change permissions on an unowned moved file.
                warn!(
                    "Copying script from `{}` to `{}` (permissions: {:o})",
                    path.simplified_display(),
                    script_absolute.simplified_display(),
                    permissions.mode()
                );

                uv_fs::copy_atomic_sync(&path, &script_absolute)?;

                fs::set_permissions(
                    script_absolute,
                    Permissions::from_mode(permissions.mode() | 0o111),
                )?;
            }
        }

        #[cfg(not(unix))]
        {
            // Retry when security software temporarily blocks the file.
            match uv_fs::with_retry_sync(&path, &script_absolute, "renaming", || {
                fs_err::rename(&path, &script_absolute)
            }) {
                Ok(()) => (),
                Err(err) if err.kind() == io::ErrorKind::CrossesDevices => {
                    // Fall back to copy only when the rename crosses devices.
                    debug!("Failed to rename, falling back to copy: {err}");
                    uv_fs::with_retry_sync(&path, &script_absolute, "copying", || {
                        fs_err::copy(&path, &script_absolute)?;
                        Ok(())
                    })?;
                }
                Err(err) => return Err(Error::Io(err)),
            }
        }

        None
    };

    // Find the existing entry in the `RECORD`.
    let relative_to_site_packages = path
        .strip_prefix(site_packages)
        .expect("Prefix must no change");
    let entry = record
        .iter_mut()
        .find(|entry| Path::new(&entry.path) == relative_to_site_packages)
        .ok_or_else(|| {
            // It should not be possible to error at this point, but filesystems and such.
            Error::RecordFile {
                relative: relative_to_site_packages.to_path_buf(),
                absolute: path.clone(),
            }
        })?;

    // Update the entry in the `RECORD`.
    entry.path = script_relative.portable_display().to_string();
    if let Some((size, encoded_hash)) = size_and_encoded_hash {
        entry.size = Some(size);
        entry.hash = Some(encoded_hash);
    }
    Ok(())
}
