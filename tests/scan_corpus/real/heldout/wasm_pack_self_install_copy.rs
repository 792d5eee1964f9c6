// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `wasm-pack` 0.15.1
// (https://static.crates.io/crates/wasm-pack/wasm-pack-0.15.1.crate), file `src/installer.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/wasm-pack-LICENSE-MIT, ../licences/wasm-pack-LICENSE-APACHE).
// excerpt: unrelated items removed; every kept line is verbatim.
use std::env;
use std::fs;
use std::io;
use std::io::IsTerminal;
use std::path::Path;
use std::process;

use anyhow::{anyhow, bail, Context, Result};
use which;

fn do_install() -> Result<()> {
    // Find `rustup.exe` in PATH, we'll be using its installation directory as
    // our installation directory.
    let rustup = match which::which("rustup") {
        Ok(path) => path,
        Err(_) => {
            bail!(
                "failed to find an installation of `rustup` in `PATH`, \
                 is rustup already installed?"
            );
        }
    };
    let installation_dir = match rustup.parent() {
        Some(parent) => parent,
        None => bail!("can't install when `rustup` is at the root of the filesystem"),
    };
    let destination = installation_dir
        .join("wasm-pack")
        .with_extension(env::consts::EXE_EXTENSION);

    if destination.exists() {
        confirm_can_overwrite(&destination)?;
    }

    // Our relatively simple install step!
    let me = env::current_exe()?;
    fs::copy(&me, &destination)
        .with_context(|| anyhow!("failed to copy executable to `{}`", destination.display()))?;
    println!(
        "info: successfully installed wasm-pack to `{}`",
        destination.display()
    );

    // ... and that's it!

    Ok(())
}
