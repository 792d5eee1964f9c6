//! The one layer that makes file and process calls: each passes the fault
//! gate first and returns the OS's error untouched. Its files and rules are
//! mapped once, in CONTRIBUTING.md ("The house").

#[cfg(unix)]
#[path = "unix/mod.rs"]
mod imp;
#[cfg(windows)]
#[path = "windows.rs"]
mod imp;

pub(crate) mod fakes;
mod install_steps;
pub(crate) mod lab;
pub(crate) mod lock;
pub(crate) mod mirror;
#[cfg(feature = "tokio")]
pub(crate) mod mirror_async;
mod process;
mod types;
mod wake;

pub(crate) use imp::{EXEC_REFUSES_WRITERS, PATH_SEPARATOR, RUNNING_PROGRAMS_UNLINK};
pub(crate) use imp::{attach_both, attach_faults, attach_shield, enforce_on_thread};
pub(crate) use install_steps::*;
#[cfg(feature = "tokio")]
pub(crate) use process::spawn_tokio;
pub(crate) use process::{output, spawn, status};
pub(crate) use types::{ChildStep, DirFacts, FsKind, Probe, ShieldStats};
pub(crate) use wake::CloseWaker;

/// The permission bits of a file, as an install would set them (0o755 on
/// Windows, where they mean nothing).
pub(crate) fn mode_of(meta: &std::fs::Metadata) -> u32 {
    imp::mode_of(meta)
}

/// The file names in `dir` (UTF-8 ones; others can't be ours), behind the
/// gate as a metadata read.
pub(crate) fn list_dir(dir: &std::path::Path) -> std::io::Result<Vec<String>> {
    let _gated = crate::fault::gate(crate::classify::Op::Metadata, dir)?;
    Ok(std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect())
}

/// 64 unpredictable bits, for temp names, which must not be guessable (a
/// guessed name lets another user plant a symlink or a file there first).
pub(crate) fn random_u64() -> u64 {
    crate::rng::entropy()
}
