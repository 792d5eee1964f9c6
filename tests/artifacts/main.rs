//! Putting artifacts in place: replace_executable, robust fs operations, ArtifactLock.
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod artifact_lock;
mod lock_async;
mod replace;
mod replace_killed;
mod robust;
