//! Tests that change something every thread sees (a process-wide plan, the
//! umask, the current directory, the environment), or that take every child
//! of the process for their own: each takes `common::process_wide()`, so
//! they run one at a time, and no other test shares this binary.
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod async_retry_drop;
mod chaos_env;
mod child_writer;
mod empty_dir;
mod fault_process_wide;
mod lab_ungated;
mod umask;
