// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `rattler` 0.55.5
// (https://static.crates.io/crates/rattler/rattler-0.55.5.crate), file `src/install/link.rs`.
// Licence: BSD-3-Clause (see ../licences/rattler-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Copy the specified file from the source (or cached) directory. If an existing file cannot be
/// overwritten it is removed and the copy is retried.
fn copy_to_destination(
    source_path: &Path,
    destination_path: &Path,
) -> Result<LinkMethod, LinkFileError> {
    // `fs::copy` overwrites an existing file in place and then sets its permissions, which
    // requires owning (or being able to write) that file. If that is denied, replace the file
    // instead (see `remove_existing_destination`).
    match fs::copy(source_path, destination_path) {
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            remove_existing_destination(destination_path)?;
            fs::copy(source_path, destination_path)
        }
        result => result,
    }
    .map_err(|e| LinkFileError::FailedToLink(LinkMethod::Copy, e))?;

    // Copy file modification times, fs::copy transfers file permissions automatically
    let metadata =
        fs::symlink_metadata(source_path).map_err(LinkFileError::FailedToReadSourceFileMetadata)?;
    let file_time = filetime::FileTime::from_last_modification_time(&metadata);
    filetime::set_file_times(destination_path, file_time, file_time)
        .map_err(LinkFileError::FailedToUpdateDestinationFileTimestamps)?;

    Ok(LinkMethod::Copy)
}

/// Removes a file or symlink that exists at `destination_path`, so that it is replaced
/// rather than overwritten in place. Replacing only requires write access to the directory, while
/// overwriting a file and setting its permissions and timestamps requires owning it. This matters
/// in shared prefixes, where the file may belong to another user of the same group.
fn remove_existing_destination(destination_path: &Path) -> Result<(), LinkFileError> {
    match fs::remove_file(destination_path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(LinkFileError::IoError(
            String::from("removing clobbered file"),
            e,
        )),
        _ => Ok(()),
    }
}
