//! Retrying: the policy engine, the retrying spawns, and strace as an outside oracle.
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod async_retry;
mod retry;
mod spawn;
mod strace_oracle;
