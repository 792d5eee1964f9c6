// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/operations.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
pub fn garbage_collect_versions(
    prune_linked: bool,
    config_data: &mut JuliaupConfig,
    paths: &GlobalPaths,
) -> Result<()> {
    let mut versions_to_uninstall: Vec<String> = Vec::new();
    for (installed_version, detail) in &config_data.installed_versions {
        if config_data.installed_channels.iter().all(|j| match &j.1 {
            JuliaupConfigChannel::SystemChannel { version } => version != installed_version,
            _ => true,
        }) {
            let path_to_delete = paths.juliauphome.join(&detail.path);

            match path_to_delete.canonicalize() {
                Ok(canonical_path) => {
                    let display = canonical_path.display();

                    match std::fs::remove_dir_all(&canonical_path) {
                        Ok(_) => versions_to_uninstall.push(installed_version.clone()),
                        Err(_) => print_juliaup_style(
                            "WARNING",
                            &format!(
                                "Failed to delete {}. \
                            Make sure to close any old julia version still running.\n\
                            You can try to delete at a later point by running `juliaup gc`.",
                                display
                            ),
                            JuliaupMessageType::Warning,
                        ),
                    }
                }
                Err(_) => {
                    // Directory already doesn't exist, just mark for removal from config
                    versions_to_uninstall.push(installed_version.clone());
                }
            }
        }
    }

    if versions_to_uninstall.is_empty() {
        print_juliaup_style(
            "Tidyup",
            "No unused Julia installations to clean up.",
            JuliaupMessageType::Success,
        );
    } else {
        for i in versions_to_uninstall {
            print_juliaup_style(
                "Tidyup",
                &format!("Removed Julia {}", i),
                JuliaupMessageType::Success,
            );
            config_data.installed_versions.remove(&i);
        }
    }

    if prune_linked {
        let mut channels_to_uninstall: Vec<String> = Vec::new();
        for (installed_channel, detail) in &config_data.installed_channels {
            if let JuliaupConfigChannel::LinkedChannel {
                command: cmd,
                args: _,
            } = &detail
            {
                if !is_valid_julia_path(&PathBuf::from(cmd)) {
                    channels_to_uninstall.push(installed_channel.clone());
                }
            }
        }
        for channel in channels_to_uninstall {
            remove_symlink(&format!("julia-{}", channel))?;
            config_data.installed_channels.remove(&channel);
        }
    }

    Ok(())
}
