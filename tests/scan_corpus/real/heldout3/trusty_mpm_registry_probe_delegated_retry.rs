// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trusty-mpm` 1.11.1
// (https://static.crates.io/crates/trusty-mpm/trusty-mpm-1.11.1.crate), file `src/runtime/claude_code_agents.rs`.
// Licence: MIT (see ../licences/trusty-mpm-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Read Claude Code's live-session registry, or say why it could not be read.
///
/// Why: this is the only I/O in the module, kept behind its own function so
/// every decision above it is a pure function of a `&str` and can be unit
/// tested without a real `claude` on the machine (#4255 — a test must never
/// touch the operator's real session state).
/// What: spawns `<claude_bin> agents --json` through
/// [`crate::core::spawn_disclaim::disclaimed_stdout_command_with_timeout`] —
/// stdout piped, stderr to `/dev/null`, TCC-disclaimed on macOS — wrapped in
/// [`trusty_common::spawn_retry::retry_on_etxtbsy`], the workspace's one
/// exec-retry policy (only the exec step can raise `ETXTBSY`, so no retry ever
/// re-runs a probe that started). That helper drains stdout off-thread, so a
/// child that outgrew the pipe buffer cannot deadlock the caller, and it
/// SIGKILLs and reaps a child that outlives [`REGISTRY_TIMEOUT`] — a probe
/// process never survives the deadline (#6863; the same guarantee #5969 bought
/// the `claude --version` probe).
///
/// `CLAUDE_CONFIG_DIR` is exported to match the spawn the pane will make.
/// Claude Code 2.1.261 keeps this registry machine-global — verified: the same
/// eleven entries come back with and without the managed config dir set — so
/// today it changes nothing; it is set so a release that DOES scope the
/// registry by config home is read against the right one.
///
/// # Errors
///
/// A spawn failure (no `claude` on PATH), a non-zero exit, or the timeout, each
/// rendered as a one-line reason for the caller's debug log. Every one of them
/// means the same thing to [`relaunch_command`]: fall back to `--resume`.
///
/// Test: `query_registry_kills_and_reaps_a_wedged_probe` proves the deadline
/// leaves no child behind. The live shape it returns is pinned by
/// `registry_sample_parses_every_entry_shape`, which parses a capture of this
/// command's real output; the decision above it is the seam tests inject AROUND.
pub(super) fn query_registry(
    claude_bin: &str,
    config_dir: Option<&Path>,
) -> Result<String, String> {
    // #6863: rebuilt per attempt because the bounded-wait helper consumes the
    // `Command`; an ETXTBSY retry never re-runs a probe that already started.
    let build = || {
        let mut cmd = Command::new(claude_bin);
        cmd.arg("agents").arg("--json").stdin(Stdio::null());
        if let Some(dir) = config_dir {
            cmd.env("CLAUDE_CONFIG_DIR", dir);
        }
        cmd
    };
    let out = trusty_common::spawn_retry::retry_on_etxtbsy(|| {
        crate::core::spawn_disclaim::disclaimed_stdout_command_with_timeout(
            build(),
            REGISTRY_TIMEOUT,
        )
    })
    .map_err(|e| {
        if e.kind() == io::ErrorKind::TimedOut {
            format!("`claude agents --json` did not answer within {REGISTRY_TIMEOUT:?}")
        } else {
            format!("could not run `{claude_bin} agents --json`: {e}")
        }
    })?;
    if !out.status.success() {
        return Err(format!("`claude agents --json` exited {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
