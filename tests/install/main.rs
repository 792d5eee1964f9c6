//! Installing executables: the barrier, the child writer, the fork storm.
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod install;
mod stress;
