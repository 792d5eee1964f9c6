//! Builds the fake-command shim (`shim/main.rs`) for the target being built,
//! with the same `rustc`, and leaves it in `OUT_DIR` for the library to
//! embed (`flakeproof::fake`).
//!
//! This script never fails the build. Where the shim can't be compiled
//! (docs.rs, a target without a prebuilt std such as a `-Zbuild-std` build,
//! no linker) it says why in a warning and embeds nothing; `FakeDir::new()`
//! then returns an error carrying that reason. `FLAKEPROOF_SHIM=/path` embeds
//! a shim built elsewhere instead (scripts/windows-test.sh does this); give
//! it an absolute path.
//!
//! The target's RUSTFLAGS are not passed on: the shim needs none, and flags
//! meant for the user's code (sanitizers, `-D warnings`, `--cfg`) could
//! break its build for no gain.

// A build script is not the library: its file and process calls are its job
// (clippy.toml's rule keeps the library's in src/sys).
#![allow(clippy::disallowed_methods)]

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=shim/main.rs");
    println!("cargo:rerun-if-changed=src/fake/wire.rs");
    println!("cargo:rerun-if-env-changed=FLAKEPROOF_SHIM");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let (body, why) = match shim(&out) {
        Ok(body) => (body, String::new()),
        Err(why) => {
            println!(
                "cargo:warning=flakeproof: no fake-command shim embedded ({why}); FakeDir::new() will say so. Set FLAKEPROOF_SHIM to a shim built for this target to embed it."
            );
            (Vec::new(), why)
        }
    };
    // FNV-1a of the shim: names its extracted copy, so copies of different
    // builds never mix.
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    fs::write(out.join("shim.bin"), &body).expect("write OUT_DIR/shim.bin");
    fs::write(out.join("shim.why"), why).expect("write OUT_DIR/shim.why");
    println!("cargo:rustc-env=FLAKEPROOF_SHIM_HASH={hash:016x}");
}

fn shim(out: &Path) -> Result<Vec<u8>, String> {
    if let Some(path) = env::var_os("FLAKEPROOF_SHIM") {
        println!("cargo:rerun-if-changed={}", Path::new(&path).display());
        return fs::read(&path).map_err(|e| format!("FLAKEPROOF_SHIM={path:?}: {e}"));
    }
    if env::var_os("DOCS_RS").is_some() {
        return Err("docs.rs build".into());
    }
    let rustc = env::var_os("RUSTC").ok_or("RUSTC not set")?;
    let target = env::var("TARGET").map_err(|e| format!("TARGET: {e}"))?;
    let exe = out.join(if target.contains("windows") {
        "flakeproof-shim.exe"
    } else {
        "flakeproof-shim"
    });
    let mut cmd = Command::new(&rustc);
    cmd.args([
        "--edition=2021",
        "--crate-name=flakeproof_shim",
        "--crate-type=bin",
    ])
    .args([
        "-Copt-level=2",
        "-Cpanic=abort",
        "-Cdebuginfo=0",
        "-Cstrip=symbols",
    ])
    .args(["--cap-lints=allow", "--target", &target])
    .arg("-o")
    .arg(&exe)
    .arg(
        Path::new(&env::var_os("CARGO_MANIFEST_DIR").ok_or("no CARGO_MANIFEST_DIR")?)
            .join("shim/main.rs"),
    );
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        cmd.arg("-C")
            .arg(format!("linker={}", linker.to_string_lossy()));
    }
    let output = cmd
        .output()
        .map_err(|e| format!("running {rustc:?}: {e}"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let first = err
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("")
            .trim();
        return Err(format!("rustc for {target} failed: {first}"));
    }
    fs::read(&exe).map_err(|e| format!("reading {}: {e}", exe.display()))
}
