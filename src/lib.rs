//! Make tests that write and run executables stop flaking.
//!
//! # The race
//!
//! On Linux, `execve` fails with ETXTBSY ("Text file busy", errno 26) while
//! any open file description can write the file. In a test binary every test
//! is a thread: thread A writes a stub `git`; thread B forks to spawn
//! anything; B's child inherits A's writable descriptor and keeps it until
//! its own exec. A closes and runs `git`: ETXTBSY. The usual "temp file,
//! fsync, rename" recipe keeps the same inode and, by holding the descriptor
//! open longer, fails *more* often (6.7 % to 12.4 % of execs against 0.8 %
//! to 2 % for a plain write, `examples/race_lab.rs` on a 2-core Linux 6.18
//! machine; golang/go#22315, rust-lang/rust#114554).
//!
//! # What to use
//!
//! | you want to | use |
//! |---|---|
//! | write a stub executable and run it at once | [`install_executable_stub`], or [`StubInstaller`] for options |
//! | retry a call that hit ETXTBSY | [`retry_etxtbsy`] |
//! | spawn a program that someone may still be writing | [`SpawnRetryExt`] (`spawn_retrying`, `output_retrying`, `status_retrying`) |
//! | retry other transient OS errors (Windows sharing violations, macOS EPERM after a build) | [`RetryPolicy`] with [`Classifier::for_op`] |
//! | test your own retry loop without sleeping | [`RetryPolicy::clock`] with a [`ManualClock`] |
//! | reproduce the fork race on demand | [`lab::ForkStorm`], [`lab::WriteHold`], [`lab::stress`] |
//! | fail an operation on demand, kernel-identical, scoped to one test | [`fault::FaultPlan`], [`fs`], [`process::Command`], [`fault::point`] |
//! | put a fresh build where a running program is | [`replace_executable`] |
//! | rename, remove or copy through antivirus and lingering handles | [`robust`] |
//! | keep processes that build the same artifact from clobbering it | [`ArtifactLock`] |
//!
//! ```
//! use std::process::Command;
//! use flakeproof::{install_executable_stub, SpawnRetryExt};
//!
//! let dir = tempfile::tempdir()?;
//! let git = install_executable_stub(dir.path(), "git", "#!/bin/sh\necho fake git \"$@\"\n")?;
//! # #[cfg(unix)] {
//! let out = Command::new(&git).arg("status").output_retrying()?;
//! assert_eq!(out.stdout, b"fake git status\n");
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # How the crate is laid out
//!
//! - Pure, no OS calls: `classify` ([`is_transient`], [`Classifier`]),
//!   [`errno`] (the one table of error numbers), `backoff` ([`Backoff`]),
//!   `retry` (the [`RetryPolicy`] engine, on an injectable [`Clock`]), and
//!   the fault plans' rules, parser, printer and record.
//! - Fault activation: which [`fault`] plan is in force on which thread, and
//!   the gate that every file and process step passes first.
//! - The one layer that makes file and process calls: `sys`, with one door
//!   per platform. Its calls are tagged with an [`Op`] and a path at the
//!   gate; the [`lab`] tools' calls are the only ones that skip it.
//! - User-facing operations on top: [`install_executable_stub`],
//!   [`SpawnRetryExt`], [`fs`], [`process`], [`lab`], and [`fault`]'s guards.
//!
//! Errors that come from the OS are passed on as the OS gave them:
//! `raw_os_error()` and `kind()` survive, because that is what classifiers
//! (yours and ours) key on. [`InstallError`] adds the step and the path,
//! and converts back into the untouched `io::Error`.
//!
//! # Cargo features
//!
//! - `chaos`: `FLAKEPROOF_FAULTS` activates a fault plan for the whole run
//!   (see [`fault`]). Off by default, so that a program that ships
//!   flakeproof for its retries can't be made to fail by its users'
//!   environment; turn it on in `[dev-dependencies]`.
//!
//! # Platforms
//!
//! - **Linux**: the race is real; [`StubInstaller`] waits until the kernel
//!   itself says the file has no writer (a read lease is refused exactly
//!   while execve would fail with ETXTBSY), checked against flock where the
//!   filesystem is not known to be local, and writes from a child process on
//!   network filesystems, where neither probe sees other clients.
//! - **macOS**: exec of a file open for writing is not refused (XNU compiled
//!   that check out), nor is writing to a running program, so there is no
//!   ETXTBSY to prevent and the installer does not wait. [`is_transient`]
//!   knows macOS's EPERM on copies over fresh builds (DioxusLabs/dioxus#5275).
//! - **Other Unixes** (the BSDs): exec of a write-open file fails with
//!   ETXTBSY; the flock barrier runs.
//! - **Windows**: no fork, so no inheritance race; installs are
//!   write-then-rename, and the classifiers cover antivirus and pending
//!   deletes (errors 5, 32, 33, 145, 303).

#![deny(missing_docs, unsafe_code, unsafe_op_in_unsafe_fn)]
#![warn(rust_2018_idioms, unreachable_pub)]

mod aside;
mod backoff;
mod classify;
mod clock;
mod command;
pub mod errno;
pub mod fake;
pub mod fault;
pub mod fs;
mod install;
pub mod lab;
mod lock;
mod names;
mod os;
pub mod process;
mod replace;
mod retry;
mod rng;
pub mod robust;
mod sweep;
// The one layer with file and process calls, and so the only one allowed
// `unsafe` and std's fs/process calls (clippy.toml).
#[allow(unsafe_code, clippy::disallowed_methods)]
#[deny(clippy::undocumented_unsafe_blocks)]
mod sys;
#[cfg(test)]
mod test_support;

pub use backoff::{Backoff, Constant, Delays, Exponential};
pub use classify::{is_etxtbsy, is_transient, is_transient_error, Classifier, Op};
pub use clock::{Clock, ManualClock, SystemClock};
pub use command::SpawnRetryExt;
pub use install::{
    install_executable_stub, Durability, InstallError, InstallReport, InstallStep, Strategy,
    StubInstaller, WriterCheck,
};
pub use lock::{ArtifactGuard, ArtifactLock, Holder, Waiting};
pub use os::Os;
pub use replace::{replace_executable, ReplaceReport, Replacer};
pub use retry::{retry_etxtbsy, Jitter, RetryEvent, RetryPolicy, RetryReport, Stop};
pub use sweep::{sweep, Sweep, SweepFailure, SWEEP_LIMIT};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
