//! The one layer that makes file and process calls.
//!
//! Every call that can fail first passes the fault gate
//! ([`crate::fault::gate`]), tagged with its [`Op`](crate::Op) and the path
//! it touches: the single place where the active fault plan is consulted.
//! The exception is [`lab`], whose calls set up the conditions of a race and
//! must never be failed or recorded by a plan.
//!
//! The portable files here hold no platform logic; each OS has one door
//! (`unix/`, `windows.rs`) behind `imp`.
//!
//! Errors from the OS are returned exactly as the OS gave them: no wrapping,
//! so `raw_os_error()` and `kind()` survive for the caller's classifier.

#[cfg(unix)]
#[path = "unix/mod.rs"]
mod imp;
#[cfg(windows)]
#[path = "windows.rs"]
mod imp;

mod files;
pub(crate) mod lab;
pub(crate) mod mirror;
mod process;

pub(crate) use files::*;
pub(crate) use imp::{FileId, EXEC_REFUSES_WRITERS};
pub(crate) use process::{output, spawn, status};

/// What kind of filesystem a path is on, as far as the drain barrier cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))]
pub(crate) enum FsKind {
    /// Known local: leases and flock answer about this machine's writers.
    Local(&'static str),
    /// A network filesystem: writers on other clients are invisible, and a
    /// lease may be refused for reasons that have nothing to do with writers.
    Network(&'static str),
    /// FUSE: depends on the filesystem behind it.
    Fuse,
    /// Anything else.
    Unknown,
}

/// How the drain barrier knew that no writer was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))]
pub(crate) enum Probe {
    /// Linux `F_SETLEASE(F_RDLCK)`: refused exactly while the inode's write
    /// count is above zero, the same count execve checks for ETXTBSY.
    Lease,
    /// `flock` on a new description: granted once every copy of the old,
    /// locked description is closed (golang/go#22315, amonakov 2020).
    Flock,
    /// Neither answers on this filesystem: nothing was checked.
    Unchecked,
}

/// Outcome of the drain barrier.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drain {
    pub(crate) probe: Probe,
    /// Probes that found a writer still there before the all-clear.
    pub(crate) busy_probes: u32,
}

/// Which step of the child writer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))]
pub(crate) enum ChildStep {
    Open,
    Write,
    Close,
}

/// 64 unpredictable bits, for temp names, which must not be guessable (a
/// guessed name lets another user plant a symlink or a file there first).
pub(crate) fn random_u64() -> u64 {
    crate::rng::entropy()
}
