// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trusty-mpm` 1.11.1
// (https://static.crates.io/crates/trusty-mpm/trusty-mpm-1.11.1.crate), file `src/core/gh_session_shim.rs`.
// Licence: MIT (see ../licences/trusty-mpm-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// The shim script for `login` on `host`, asking `real_gh` under `config_dir`.
///
/// Why: see the module docs; the script is the only place the token exists,
/// and only inside the one gh process it `exec`s.
/// What: a POSIX `sh` script. It runs `<real_gh> auth token --hostname <host>
/// --user <login>` with `GH_CONFIG_DIR=<config_dir>` and the four token
/// variables removed, killed after `bound_secs`. On failure or empty output it
/// prints the fix to stderr and exits 1. Otherwise it removes the four token
/// variables, exports the token as the one gh reads for `host`
/// ([`token_var_for`]) and `exec`s the real gh with the caller's arguments.
/// `Err` when a value cannot be quoted safely.
/// Test: `the_shim_script_names_the_login_and_never_a_token`,
/// `a_ghes_shim_exports_gh_enterprise_token`,
/// `the_shim_refuses_a_login_it_cannot_quote`.
pub(crate) fn shim_script(
    verified: &VerifiedLogin,
    real_gh: &Path,
    bound_secs: u64,
) -> Result<String, String> {
    if !valid_login(&verified.login) {
        return Err(format!(
            "'{}' is not a gh login tm can write into the gh shim",
            verified.login
        ));
    }
    let login = &verified.login;
    let host = quoted("host", &verified.host)?;
    let real = quoted("gh path", &real_gh.display().to_string())?;
    let dir = quoted("config dir", &verified.config_dir.display().to_string())?;
    let var = token_var_for(&verified.host);
    let unset = TOKEN_VARS.join(" ");
    let env_u = TOKEN_VARS.map(|v| format!("-u {v}")).join(" ");
    let shown = &verified.host;
    Ok(format!(
        "#!/bin/sh\n\
         # trusty-mpm gh credential shim (#9750) for gh account '{login}' on {shown}.\n\
         # It holds no token: each gh call asks gh for that account's token and\n\
         # hands it to this one gh process only.\n\
         real={real}\n\
         token=$(\n\
         \x20 env {env_u} GH_CONFIG_DIR={dir} \"$real\" auth token --hostname {host} --user '{login}' &\n\
         \x20 pid=$!\n\
         \x20 (sleep {bound_secs}; kill \"$pid\") >/dev/null 2>&1 &\n\
         \x20 watchdog=$!\n\
         \x20 wait \"$pid\"\n\
         \x20 status=$?\n\
         \x20 kill \"$watchdog\" 2>/dev/null\n\
         \x20 exit \"$status\"\n\
         )\n\
         if [ $? -ne 0 ] || [ -z \"$token\" ]; then\n\
         \x20 echo \"tm: gh account '{login}' has no token gh can read on {shown} (logged out, keychain locked, or gh did not answer within {bound_secs}s). Run: gh auth login --hostname {shown} (as {login}) or gh auth refresh -h {shown} -u {login}.\" >&2\n\
         \x20 exit 1\n\
         fi\n\
         unset {unset}\n\
         {var}=\"$token\"\n\
         export {var}\n\
         unset token\n\
         exec \"$real\" \"$@\"\n"
    ))
}


/// Write `verified`'s shim under `state_root` and return its dir (#9750).
///
/// What: the shim root and the shim dir are 0700; the script is written to a
/// temp file, set 0755 and renamed over `<dir>/gh`, so a concurrent session
/// never runs a half-written or non-executable shim. An unchanged script is not
/// rewritten.
/// Test: `the_shim_is_0755_inside_a_0700_dir`,
/// `a_written_shim_runs_gh_with_the_pinned_token_only`.
pub(crate) fn write_gh_shim(
    state_root: &Path,
    verified: &VerifiedLogin,
    real_gh: &Path,
    bound_secs: u64,
) -> Result<PathBuf, String> {
    let script = shim_script(verified, real_gh, bound_secs)?;
    let dir = shim_dir(state_root, verified);
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        format!("cannot {what} {} ({e})", path.display())
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail("create", &dir, e))?;
    set_mode(&shim_root(state_root), 0o700).map_err(|e| fail("protect", &dir, e))?;
    set_mode(&dir, 0o700).map_err(|e| fail("protect", &dir, e))?;
    let target = dir.join("gh");
    if std::fs::read_to_string(&target).is_ok_and(|text| text == script) {
        set_mode(&target, 0o755).map_err(|e| fail("protect", &target, e))?;
        return Ok(dir);
    }
    let temp = dir.join(format!(".gh.{}.tmp", std::process::id()));
    std::fs::write(&temp, script.as_bytes()).map_err(|e| fail("write", &temp, e))?;
    set_mode(&temp, 0o755).map_err(|e| fail("protect", &temp, e))?;
    std::fs::rename(&temp, &target).map_err(|e| fail("install", &target, e))?;
    Ok(dir)
}

/// Set `path`'s permission bits.
#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}
