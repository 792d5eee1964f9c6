//! The exit statuses that are flakeproof's own, distinct from the
//! command's: a script can tell "the plan was refused" from "the command
//! failed under the plan". 126 and 127 are what shells use for a command
//! that can't be run or isn't found; 125 is what `env` uses for its own
//! failure. CMD was never run when one of 123-127 comes back.

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
Exit status (doctor): 0 if `run` can work here, 1 if not.";

/// Print `message` as flakeproof's own error and return `status`.
pub(crate) fn fail(status: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("flakeproof: {message}");
    ExitCode::from(status)
}
