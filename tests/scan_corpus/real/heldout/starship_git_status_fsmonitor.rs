// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `starship` 1.27.0
// (https://static.crates.io/crates/starship/starship-1.27.0.crate), file `src/modules/git_status.rs`.
// Licence: ISC (see ../licences/starship-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
pub mod tests {
    use crate::test::{
        BARE_GIT_PROVIDERS, COMMON_GIT_PROVIDERS, FixtureProvider, ModuleRenderer, fixture_repo,
    };
    use crate::utils::create_command;
    use nu_ansi_term::{AnsiStrings, Color};
    use std::ffi::OsStr;
    use std::fs::{self, File, OpenOptions};
    use std::io::{self, prelude::*};
    use std::path::Path;

    #[test]
    #[cfg(unix)]
    fn doesnt_run_fsmonitor() -> io::Result<()> {
        for &mode in COMMON_GIT_PROVIDERS {
            use std::os::unix::fs::PermissionsExt;
            let repo_dir = fixture_repo(mode)?;

            let mut f = File::create(repo_dir.path().join("do_not_execute"))?;
            write!(f, "#!/bin/sh\necho executed > executed\nsync executed")?;
            let metadata = f.metadata()?;
            let mut permissions = metadata.permissions();
            permissions.set_mode(0o700);
            f.set_permissions(permissions)?;
            f.sync_all()?;

            create_command("git")?
                .args(["config", "core.fsmonitor"])
                .arg(repo_dir.path().join("do_not_execute"))
                .current_dir(repo_dir.path())
                .output()?;

            ModuleRenderer::new("git_status")
                .path(repo_dir.path())
                .collect();

            let created_file = repo_dir.path().join("executed").exists();

            assert!(!created_file);

            repo_dir.close()?;
        }
        Ok(())
    }

}
