//! The exit statuses that are flakeproof's own, distinct from the
//! command's: a script can tell "the plan was refused" from "the command
//! failed under the plan". 126 and 127 are what shells use for a command
//! that can't be run or isn't found; 125 is what `env` uses for its own
//! failure. CMD was never run when one of 123-127 comes back. And what keeps
//! CMD's status the answer after a Ctrl-C: flakeproof outlives it.

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::process::ExitCode;

/// flakeproof's own failure before running CMD: a plan that doesn't parse,
/// a `--record` file that can't be written.
pub(crate) const OWN_FAILURE: u8 = 125;
/// Fault plans can't reach a child here: another OS, a kernel older than
/// 5.5, or a sandbox that refuses seccomp user notification.
pub(crate) const UNSUPPORTED: u8 = 124;
/// This process tree already has a seccomp listener (the kernel allows one):
/// flakeproof's own (`FLAKEPROOF_SECCOMP_OWNER` names it) or another
/// supervisor's.
pub(crate) const LISTENER_TAKEN: u8 = 123;
/// `sweep`: the rule reached no call of the command, so nothing was tested.
pub(crate) const UNREACHED: u8 = 122;
/// `scan`: a file did not parse (or could not be read); the others were
/// scanned and their findings reported.
pub(crate) const SCAN_UNPARSED: u8 = 3;
/// CMD exists but can't be run (permissions, not an executable).
pub(crate) const NOT_EXECUTABLE: u8 = 126;
/// CMD was not found.
pub(crate) const NOT_FOUND: u8 = 127;

/// The statuses, for `--help`.
pub(crate) const STATUSES: &str = "\
Exit status (run):
  CMD's own status; 128 + N if a signal N ended it (130 after a Ctrl-C, with the summary).
  123  this process tree already has a seccomp listener (the error names its owner); CMD not run
  124  fault plans can't reach a child process here (the error says why); CMD not run
  125  flakeproof's own failure: a plan that doesn't parse, a --record file that can't be written
  126  CMD can't be run;  127  CMD not found
  2    bad arguments
Exit status (sweep): 0 if every point was recovered from, 1 if a point failed --check or left
  debris, 122 if the rule reached no call (nothing tested); 123-127 as for run.
Exit status (stress): 0 if no run failed, 1 if one did; 125-127 as for run.
Exit status (shield): CMD's; 123-127 as for run (123/124: the shield can't work here, CMD
  not run, unless --allow-unshielded).
Exit status (doctor): 0 if `run` can work here, 1 if not.
Exit status (scan): 0 if nothing was found, 1 if something was, 3 if a file did not parse or
  could not be read (the rest were scanned, their findings reported); 2 for bad arguments or
  a path that does not exist.";

/// Print `message` as flakeproof's own error and return `status`.
pub(crate) fn fail(status: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("flakeproof: {message}");
    ExitCode::from(status)
}

/// The status for a plan `faults()` refused: the kernel's EBUSY means a
/// listener owns the tree already (the error names it); anything else, no
/// support here.
pub(crate) fn refused(e: &io::Error) -> u8 {
    let busy = e
        .get_ref()
        .and_then(|inner| inner.source())
        .and_then(|s| s.downcast_ref::<io::Error>())
        .and_then(io::Error::raw_os_error)
        == Some(libc::EBUSY);
    if busy { LISTENER_TAKEN } else { UNSUPPORTED }
}

/// CMD could not be started (or its plan attached): print why, and return
/// the status a shell would give, or flakeproof's own for a refused plan.
pub(crate) fn start_failure(cmd: &OsStr, e: &io::Error) -> ExitCode {
    let status = match e.kind() {
        io::ErrorKind::Unsupported => refused(e),
        io::ErrorKind::NotFound => NOT_FOUND,
        // A PATH search that met a directory it may not read reports
        // EACCES although the name is nowhere (seen as uid 65534 with
        // root's directories on PATH); a shell says "not found" then.
        io::ErrorKind::PermissionDenied if !found(cmd) => NOT_FOUND,
        _ => NOT_EXECUTABLE,
    };
    fail(status, format_args!("{}: {e}", cmd.to_string_lossy()))
}

/// Is `cmd` a path, or a name some `PATH` directory visibly holds?
fn found(cmd: &OsStr) -> bool {
    let name = Path::new(cmd);
    if name.components().count() > 1 {
        return true;
    }
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).exists()))
}

/// Catch SIGINT, SIGTERM and SIGHUP with a handler that does nothing, the
/// wait restarting: the signal still ends CMD (the terminal sends it to the
/// whole foreground group, and a caught signal is reset to its default in
/// CMD by its exec, where an ignored one would stay ignored), and then this
/// process reports CMD's status, 128 + 2 for a Ctrl-C.
pub(crate) fn outlive_interrupts() {
    extern "C" fn nothing(_: libc::c_int) {}
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that touches nothing
        // (async-signal-safe) and an empty mask; SA_RESTART so that the
        // wait goes on.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = nothing as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}
