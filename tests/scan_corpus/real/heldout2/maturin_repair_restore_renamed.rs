// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `maturin` 1.16.0
// (https://static.crates.io/crates/maturin/maturin-1.16.0.crate), file `src/build_context/repair.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/maturin-license-apache, ../licences/maturin-license-mit).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Restore a `Renamed` staged artifact back to its cargo output path.
///
/// Must only be called when the staged artifact has not been modified by
/// auditwheel / patchelf / patch_macho / pe_patch — see #2969. The typed
/// `Renamed` state guarantees that: `copy_back_cargo_outputs` transitions
/// to `Patched` *before* the repairer rewrites bytes.
///
/// 1. Same-filesystem: O(1) `fs::rename` puts the staged file back.
/// 2. Fallback (rare — e.g. `target/` straddles a mount point added
///    after staging): `reflink_or_copy` + `remove_file`.
fn restore_renamed(staged: &Path, cargo_output: &Path) -> Result<()> {
    if fs::rename(staged, cargo_output).is_ok() {
        tracing::debug!(
            "Restored {} to {}",
            staged.display(),
            cargo_output.display()
        );
        return Ok(());
    }
    reflink_or_copy(staged, cargo_output).with_context(|| {
        format!(
            "Failed to restore staged artifact from {} to {}",
            staged.display(),
            cargo_output.display(),
        )
    })?;
    let _ = fs::remove_file(staged);
    Ok(())
}
