// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `rattler_installs_packages` 0.10.0
// (https://static.crates.io/crates/rattler_installs_packages/rattler_installs_packages-0.10.0.crate), file `src/python_env/uninstall.rs`.
// Licence: BSD-3-Clause (see ../licences/rattler_installs_packages-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// This function will delete all the files specified in the `RECORD` file of the distribution.
pub fn uninstall_distribution(
    site_packages_dir: &Path,
    dist_info_dir: &Path,
) -> Result<(), UninstallDistributionError> {
    // Load the RECORD file
    let record = match Record::from_path(&site_packages_dir.join(dist_info_dir).join("RECORD")) {
        Ok(record) => record,
        Err(e) => {
            return Err(match e.kind() {
                csv::ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // Special case, if the file could not be found we return a different error
                    UninstallDistributionError::RecordFileMissing
                }
                _ => UninstallDistributionError::RecordFileInvalid(e),
            });
        }
    };

    // Delete all the files specified in the RECORD file
    let mut directories = HashSet::new();
    for entry in record.into_iter() {
        let entry_path = site_packages_dir.join(&entry.path);
        if let Err(e) = fs::remove_file(&entry_path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(UninstallDistributionError::FailedToDeleteFile(
                    entry.path, e,
                ));
            }
        }
        if let Some(parent) = entry_path.parent() {
            directories.insert(parent.to_path_buf());
        }
    }

    // Sort the directories by length, so that we delete the deepest directories first.
    let mut directories: IndexSet<_> = directories.into_iter().sorted().collect();
    while let Some(directory) = directories.pop() {
        match directory.read_dir().and_then(|mut r| r.next().transpose()) {
            Ok(None) => {
                // The directory is empty, delete it
                fs::remove_dir(&directory).map_err(|e| {
                    UninstallDistributionError::FailedToDeleteDirectory(
                        directory.to_string_lossy().to_string(),
                        e,
                    )
                })?;
            }
            _ => {
                // The directory is not empty which means our parent directory is also not empty,
                // recursively remove the parent directory from the set as well.
                while let Some(parent) = directory.parent() {
                    if !directories.shift_remove(parent) {
                        break;
                    }
                }
            }
        }
    }

    Ok(())
}
