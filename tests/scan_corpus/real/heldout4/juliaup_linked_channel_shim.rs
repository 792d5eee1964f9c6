// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/operations.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(not(windows))]
fn create_linked_channel_shim(
    command: &str,
    args: &Option<Vec<String>>,
    symlink_name: &str,
    symlink_path: &Path,
    updating: &Option<PathBuf>,
) -> Result<()> {
    let formatted_command = match args {
        Some(x) => format!("{} {}", command, x.join(" ")),
        None => command.to_string(),
    };

    if let Some(ref prev_target) = updating {
        print_juliaup_style(
            "Updating",
            &format!(
                "shim {} ( {} -> {} )",
                symlink_name,
                prev_target.to_string_lossy(),
                formatted_command
            ),
            JuliaupMessageType::Progress,
        );
    } else {
        print_juliaup_style(
            "Creating",
            &format!("shim {} for {}", symlink_name, formatted_command),
            JuliaupMessageType::Progress,
        );
    }

    std::fs::write(
        symlink_path,
        format!(
            r#"#!/bin/sh
{} "$@"
"#,
            formatted_command,
        ),
    )
    .with_context(|| {
        format!(
            "failed to create shim `{}`.",
            symlink_path.to_string_lossy()
        )
    })?;

    // set as executable
    let perms = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(symlink_path, perms).with_context(|| {
        format!(
            "failed to change permissions for shim `{}`.",
            symlink_path.to_string_lossy()
        )
    })
}
