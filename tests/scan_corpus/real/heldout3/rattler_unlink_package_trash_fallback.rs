// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `rattler` 0.55.5
// (https://static.crates.io/crates/rattler/rattler-0.55.5.crate), file `src/install/unlink.rs`.
// Licence: BSD-3-Clause (see ../licences/rattler-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Completely remove the specified package from the environment.
pub async fn unlink_package(
    target_prefix: &Prefix,
    prefix_record: &PrefixRecord,
) -> Result<(), UnlinkError> {
    // Remove all entries
    for paths in prefix_record.paths_data.paths.iter() {
        let p = target_prefix.path().join(&paths.relative_path);
        match tokio_fs::remove_file(&p).await {
            Ok(_) => {}
            Err(e) => match e.kind() {
                // Simply ignore if the file is already gone.
                ErrorKind::NotFound => {
                    // Another process may have already deleted the file. It
                    // doesn't matter, gone is gone.
                }
                ErrorKind::PermissionDenied => move_to_trash(target_prefix, &p).await?,
                _ => {
                    return Err(UnlinkError::FailedToDeleteFile(
                        paths.relative_path.to_string_lossy().to_string(),
                        e,
                    ));
                }
            },
        }
    }

    // Remove the conda-meta file
    let conda_meta_path = target_prefix
        .join("conda-meta")
        .join(prefix_record.file_name());

    match tokio_fs::remove_file(&conda_meta_path).await {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // Another process may have already deleted the file. It
            // doesn't matter, gone is gone.
        }
        Err(e) => {
            return Err(UnlinkError::FailedToDeleteFile(
                conda_meta_path.to_string_lossy().to_string(),
                e,
            ));
        }
    }

    Ok(())
}
