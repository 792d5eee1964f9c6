// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `deno` 2.9.8
// (https://static.crates.io/crates/deno/deno-2.9.8.crate), file `node_compat_shim.rs`.
// Licence: MIT (see ../licences/deno-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
// Copyright 2018-2026 the Deno authors. MIT license.

#[cfg(windows)]
fn create_shim(shim_path: &Path, current_exe: &Path) -> std::io::Result<()> {
  // Native CreateProcess / Rust's Command PATH lookup only execute `.exe`, not
  // `.cmd`, so the shim must be a real executable. A hardlink shares the deno
  // binary's bytes with no extra disk; fall back to a copy across volumes.
  if shim_path.exists() {
    let _ = std::fs::remove_file(shim_path);
  }
  match std::fs::hard_link(current_exe, shim_path) {
    Ok(()) => Ok(()),
    Err(_) => {
      // Copy via a unique temp file then atomically rename into place.
      let tmp_path =
        shim_path.with_extension(format!("exe.tmp-{}", std::process::id()));
      std::fs::copy(current_exe, &tmp_path)?;
      std::fs::rename(&tmp_path, shim_path)
    }
  }
}
