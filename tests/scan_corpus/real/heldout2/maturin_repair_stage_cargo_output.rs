// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `maturin` 1.16.0
// (https://static.crates.io/crates/maturin/maturin-1.16.0.crate), file `src/build_context/repair.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/maturin-license-apache, ../licences/maturin-license-mit).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Place a copy of `artifact_path` into `staging_dir` and return the new
/// normalized path along with the [`CargoOutputState`] describing how the
/// move was performed.
///
/// Same-filesystem fast path (returns [`CargoOutputState::Renamed`]):
/// `fs::rename` atomically moves the file (and overwrites any stale
/// leftover from a previous build on both Unix and Windows); the cargo
/// output path is empty until [`finalize_staged_artifacts`] renames it
/// back.
///
/// Cross-device fallback (returns [`CargoOutputState::Mirrored`]):
/// reflink/copy into staging and **leave the original at the cargo output
/// path**; finalize will see the typed `Mirrored` state and drop the
/// staged duplicate, so the bytes are only copied once. The pre-clean is
/// needed here because `reflink_copy::reflink` refuses to overwrite on
/// some platforms.
///
/// Only `ErrorKind::CrossesDevices` triggers the fallback — every other
/// rename error (permission denied, I/O failure, etc.) is surfaced
/// instead of being silently masked by the copy path.
fn stage_file(artifact_path: &Path, staging_dir: &Path) -> Result<(PathBuf, CargoOutputState)> {
    let new_path = staging_dir.join(artifact_path.file_name().unwrap());
    // Break stale hardlinks before rename. If `new_path` and `artifact_path`
    // already name the same inode, Unix `rename` succeeds as a no-op and the
    // later copy-back can end up copying the file onto itself.
    let _ = fs::remove_file(&new_path);
    let staging = match fs::rename(artifact_path, &new_path) {
        Ok(()) => CargoOutputState::Renamed {
            cargo_output: artifact_path.to_path_buf(),
        },
        Err(err) if err.kind() == io::ErrorKind::CrossesDevices => {
            // Cross-device: copy into staging and leave the original alone.
            reflink_or_copy(artifact_path, &new_path)?;
            CargoOutputState::Mirrored {
                cargo_output: artifact_path.to_path_buf(),
            }
        }
        Err(err) => {
            return Err(err).with_context(|| {
                format!(
                    "Failed to stage {} -> {}",
                    artifact_path.display(),
                    new_path.display(),
                )
            });
        }
    };
    Ok((new_path.normalize()?.into_path_buf(), staging))
}

/// Copy the clean unpatched bytes back to every artifact's cargo output
/// path **before** the platform-specific repairer rewrites bytes in place,
/// then transition the artifact's [`CargoOutputState`] to `Patched` so
/// [`finalize_staged_artifacts`] doesn't try to overwrite the unpatched
/// bytes with the patched ones.
///
/// `will_patch[i] == false` artifacts are left alone — they keep their
/// `Renamed` / `Mirrored` state and get the cheap rename-back (or
/// duplicate drop) in finalize.
///
/// For artifacts marked `will_patch[i] == true`:
///
/// - **Mirrored** ([`stage_file`] was cross-device): the cargo output
///   path already holds the unpatched original, so we only flip the
///   state — no I/O needed.
/// - **Renamed** ([`stage_file`] used `fs::rename`): the cargo output
///   path is empty; reflink/copy the still-clean staged artifact back
///   to it before the repairer rewrites bytes in place. This is one
///   reflink (O(1) on apfs/btrfs/xfs/refs, a real copy on ext4) per
///   patched artifact, scoped only to artifacts that genuinely need
///   patching — multi-bin projects where some bins are unpatched still
///   pay only the rename-back for those bins.
/// - **NotStaged** / **Patched**: no-op. `NotStaged` shouldn't happen on
///   an audited artifact (we always stage before auditing) but we
///   degrade gracefully; `Patched` means a previous call already did
///   the work.
fn copy_back_cargo_outputs(audited: &mut [AuditedArtifact], will_patch: &[bool]) -> Result<()> {
    for (aa, &will_patch) in audited.iter_mut().zip(will_patch) {
        if !will_patch {
            continue;
        }
        match &aa.artifact.staging {
            CargoOutputState::Renamed { cargo_output } => {
                let cargo_output = cargo_output.clone();
                if cargo_output.exists()
                    && same_file::is_same_file(&aa.artifact.path, &cargo_output).unwrap_or(false)
                {
                    fs::remove_file(&cargo_output).with_context(|| {
                        format!(
                            "Failed to unlink hardlinked cargo output {} before restoring it from {}",
                            cargo_output.display(),
                            aa.artifact.path.display(),
                        )
                    })?;
                }
                reflink_or_copy(&aa.artifact.path, &cargo_output).with_context(|| {
                    format!(
                        "Failed to restore unpatched cargo output {} from staged artifact {}",
                        cargo_output.display(),
                        aa.artifact.path.display(),
                    )
                })?;
                tracing::debug!(
                    "copy_back_cargo_outputs: copied unpatched {} -> {}",
                    aa.artifact.path.display(),
                    cargo_output.display()
                );
                aa.artifact.staging = CargoOutputState::Patched;
            }
            CargoOutputState::Mirrored { cargo_output } => {
                tracing::debug!(
                    "copy_back_cargo_outputs: {} already holds unpatched original (cross-device staging), no-op",
                    cargo_output.display()
                );
                aa.artifact.staging = CargoOutputState::Patched;
            }
            CargoOutputState::NotStaged | CargoOutputState::Patched => {}
        }
    }
    Ok(())
}
