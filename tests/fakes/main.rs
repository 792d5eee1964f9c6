//! Fake commands on `PATH` (`flakeproof::fake`): the scenarios, and the
//! fakes beside the test crates users pair them with (assert_cmd, rstest).
//!
//! One test binary per area (as rustix does): fewer binaries link faster.

#[path = "../common/mod.rs"]
mod common;

mod scenarios;
mod wait_async;
mod with_assert_cmd;
mod with_rstest;
