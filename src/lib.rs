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
//! open longer, fails *more* often (11 % of execs against 1 % for a plain
//! write, `examples/race_lab.rs` on a 2-core Linux 6.18 machine;
//! golang/go#22315, rust-lang/rust#114554).
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
//! - Pure, no OS calls: `classify` (which errors are transient, per OS and
//!   operation: [`is_transient`]), `backoff` ([`Backoff`]), `retry` (the
//!   [`RetryPolicy`] engine, on an injectable [`Clock`]), and the fault plans'
//!   rules, grammar and errno names (`fault/{plan,grammar,names}.rs`).
//! - The one layer that calls the OS: `sys`, with one door per platform
//!   (`sys/unix.rs`, `sys/windows.rs`). Every call in it passes one gate,
//!   tagged with an [`Op`] and a path, where the active [`fault`] plan is
//!   consulted.
//! - User-facing operations on top: `install`, `command`, [`fs`], [`process`],
//!   [`lab`], and [`fault`]'s activation and record.
//!
//! Errors that come from the OS are passed on as the OS gave them:
//! `raw_os_error()` and `kind()` survive, because that is what classifiers
//! (yours and ours) key on.
//!
//! # Platforms
//!
//! - **Linux**: the race is real; [`StubInstaller`] waits until the kernel
//!   itself says the file has no writer (a read lease is refused exactly
//!   while execve would fail with ETXTBSY), falling back to a flock drain
//!   barrier where leases are unavailable.
//! - **macOS and BSDs**: exec of a write-open file is not refused on macOS,
//!   but opening a running executable for writing is; the flock barrier runs,
//!   and [`is_transient`] knows macOS's EPERM on copies over fresh builds.
//! - **Windows**: no fork, so no inheritance race; installs are
//!   write-then-rename, and the classifiers cover antivirus and pending
//!   deletes (errors 5, 32, 33, 145, 303).

#![deny(missing_docs, unsafe_code, unsafe_op_in_unsafe_fn)]
#![warn(rust_2018_idioms, unreachable_pub)]

mod backoff;
mod classify;
mod clock;
mod command;
pub mod errno;
pub mod fault;
pub mod fs;
mod install;
pub mod lab;
pub mod process;
mod retry;
mod rng;
// The one layer with file and process calls, and so the only one allowed
// `unsafe` and std's fs/process calls (clippy.toml).
#[allow(unsafe_code, clippy::disallowed_methods)]
#[deny(clippy::undocumented_unsafe_blocks)]
mod sys;

pub use backoff::{Backoff, Constant, Delays, Exponential};
pub use classify::{is_etxtbsy, is_transient, is_transient_error, Classifier, Op, Os};
pub use clock::{Clock, ManualClock, SystemClock};
pub use command::SpawnRetryExt;
pub use install::{
    install_executable_stub, InstallError, InstallReport, InstallStep, Strategy, StubInstaller,
    WriterCheck,
};
pub use retry::{retry_etxtbsy, Jitter, RetryEvent, RetryPolicy, RetryReport, Stop};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
