//! Fault plans: in this process, inside child processes, and failure-point
//! sweeps; and the shield, which shares the child plans' supervisor.
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod child_faults;
mod fault;
mod kernel_plan;
mod shield;
mod sweep;
mod tasks;
