// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trusty-mpm` 1.11.1
// (https://static.crates.io/crates/trusty-mpm/trusty-mpm-1.11.1.crate), file `src/test_support.rs`.
// Licence: MIT (see ../licences/trusty-mpm-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// A fake, executable `claude` first on `PATH`, plus the guard that restores
/// `PATH` when the test ends (#7862).
///
/// Why: every route that reaches `ClaudeCodeAdapter::spawn_resume` resolves the
/// `claude` binary before it types anything into the pane, so a test driving
/// that route on a machine with no Claude Code install stops at the adapter and
/// observes nothing past it — green on a developer laptop, red on every CI
/// runner. Winning the lookup outright also stops a machine that DOES have
/// `claude` from launching the operator's real one.
/// What: writes `#!/bin/sh` + `exit 0` at `<tempdir>/claude`, mode 0755, and
/// prepends that directory to `PATH` — `bin_resolve::resolve_binary` consults
/// the live `PATH` before its well-known-dirs fallback. Both the directory and
/// the previous `PATH` live in the returned guard, so the stub survives exactly
/// as long as the test and `Drop` restores the environment on the unwind too.
///
/// Callers MUST be tagged `#[serial_test::serial]`: `PATH` is process-global.
/// Test: `daemon::managed_routes::resume_claim_tests::the_claim_is_still_held_when_the_route_types_into_the_pane`.
#[cfg(unix)]
pub(crate) fn fake_claude_on_path() -> FakeClaudeOnPath {
    let dir = hermetic_temp_dir();
    let exe = dir.path().join("claude");
    // See #10248
    trusty_common::exec_stub::write_executable(&exe, b"#!/bin/sh\nexit 0\n")
        .expect("write the fake claude");
    let prev = std::env::var_os("PATH");
    let mut entries = vec![dir.path().to_path_buf()];
    if let Some(ref p) = prev {
        entries.extend(std::env::split_paths(p));
    }
    let joined = std::env::join_paths(entries).expect("join PATH");
    // SAFETY: callers are `#[serial]`, and `Drop` restores the previous value.
    unsafe { std::env::set_var("PATH", joined) };
    assert!(
        trusty_common::bin_resolve::resolve_binary("claude").is_some_and(|found| found == exe),
        "the planted stub must WIN the lookup, else the test it guards still \
         depends on the host's own Claude Code install"
    );
    FakeClaudeOnPath { _dir: dir, prev }
}
