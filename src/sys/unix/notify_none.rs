//! Fault plans inside child processes where there is no seccomp user
//! notification (macOS, the BSDs, Android, other Linux architectures): the
//! API is there, and says so. A DYLD_INSERT_LIBRARIES backend for macOS is
//! future work.

use std::io;
use std::process::Command;
use std::sync::Arc;

use crate::fault::Shared;

/// No child plans here: nothing to keep away from the shim.
pub(crate) fn exempt_program(_: &std::path::Path) {}

pub(crate) fn spawn_counted<R>(_: usize, spawn: impl FnOnce() -> R) -> R {
    spawn()
}

pub(crate) fn attach_shield(_: &mut Command, _: Arc<crate::sys::ShieldStats>) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "the shield can hold execs only on Linux (x86_64, aarch64), through seccomp user \
         notification; this OS has no such mechanism flakeproof uses yet",
    ))
}

pub(crate) fn attach_both(
    cmd: &mut Command,
    _: Arc<Shared>,
    stats: Arc<crate::sys::ShieldStats>,
) -> io::Result<()> {
    attach_shield(cmd, stats)
}

pub(crate) fn attach(_: &mut Command, _: Arc<Shared>) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "fault plans can reach child processes only on Linux (x86_64, aarch64), through \
         seccomp user notification; this OS has no such mechanism flakeproof uses yet",
    ))
}

pub(crate) fn enforce_on_thread(_: &Arc<Shared>) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "kernel plans reach a thread's system calls only on Linux (x86_64, aarch64), through \
         seccomp user notification; this OS has no such mechanism flakeproof uses yet",
    ))
}
