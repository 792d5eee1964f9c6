// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-wasi` 0.1.28
// (https://static.crates.io/crates/cargo-wasi/cargo-wasi-0.1.28.crate), file `src/main.rs`.
// Licence: Apache-2.0 WITH LLVM-exception (see ../licences/cargo-wasi-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Run a precompiled binary whose data is `bytes`.
///
/// This function will execute the precompiled binary `bytes` by writing it to
/// disk and then executing it. We want to write `bytes` as the current
/// executable but this unfortunately isn't an easy operation. The most
/// cross-platform and robust way of doing this is:
///
/// * Write the `bytes` to disk
/// * Swap the current executable and this temporary file
/// * Execute the temporary file, now named as this current executable
/// * Request that the new executable delete our own, perhaps after a few
///   executions in the future. On Windows on the initial execution it won't be
///   able to delete the source executable, but on Unix it should always be able
///   to do so.
fn run_precompiled(bytes: &[u8]) {
    // Figure out where our precompiled file will be written to disk. Currently
    // we use `.my-name` where `my-name` is the name of this executable
    let mut args = std::env::args_os();
    let me = match args.next() {
        Some(name) => name,
        None => std::process::exit(1),
    };
    let path = PathBuf::from(me.clone());
    let file_name = match path.file_name().and_then(|f| f.to_str()) {
        Some(s) => format!(".{}", s),
        None => std::process::exit(2),
    };
    let temporary = path.with_file_name(".cargo-wasi-tmp");
    let our_destination = path.with_file_name(file_name);

    // Write out an executable file to disk containing `bytes` at our determined
    // location. Note that on Unix we need to set the file's mode, but on
    // Windows everything is inherently executable.
    let mut opts = OpenOptions::new();
    opts.create(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::prelude::*;
        opts.mode(0o755);
    }
    if let Err(e) = opts.open(&temporary).and_then(|mut f| f.write_all(bytes)) {
        eprintln!(
            "failed to write executable file `{}`: {}",
            temporary.display(),
            e
        );
        std::process::exit(3);
    }

    if let Err(e) = fs::rename(&me, &our_destination) {
        eprintln!(
            "failed to move this binary to `{}`: {}",
            our_destination.display(),
            e
        );
        std::process::exit(4);
    }
    if let Err(e) = fs::rename(&temporary, &me) {
        // oh dear we are very messed up if this fails. Our executable name
        // (cargo-wasi) no longer exists, so do a last-ditch effort to try to
        // put ourselves back.
        drop(fs::rename(&our_destination, &me));
        eprintln!("failed to create binary at {:?}: {}", me, e);
        std::process::exit(5);
    }

    // Now re-exec `&me` since it's a different binary. If we're on unix then
    // we definitely should be able to delete our shim file.
    let mut cmd = Command::new(&me);
    for arg in args {
        cmd.arg(arg);
    }
    if cfg!(unix) {
        cmd.env("__CARGO_WASI_SELF_DELETE_FOR_SURE", "1");
    }
    match exec(&mut cmd) {
        Ok(()) => return,
        Err(e) => {
            eprintln!("failed to spawn child process: {}", e);
            std::process::exit(5);
        }
    }
}

#[cfg(unix)]
fn exec(cmd: &mut Command) -> io::Result<()> {
    use std::os::unix::prelude::*;
    Err(cmd.exec())
}

#[cfg(windows)]
fn exec(cmd: &mut Command) -> io::Result<()> {
    let status = cmd.status()?;
    std::process::exit(status.code().unwrap_or(6));
}
