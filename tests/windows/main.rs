//! Windows-only scenarios (run under Wine in CI).
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod windows;
mod windows_running;
