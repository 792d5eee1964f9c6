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
//! open longer, fails *more* often (6.7 % to 12.4 % of execs against 0.3 %
//! to 2 % for a plain write, `examples/race_lab.rs` on a 2-core Linux 6.18
//! machine, 2026-11, in `docs/races.md`; golang/go#22315,
//! rust-lang/rust#114554).
//!
//! # What to use
//!
//! | you want to | use |
//! |---|---|
//! | write a stub executable and run it at once | [`install_executable_stub`], or [`StubInstaller`] for options |
//! | retry a call that hit ETXTBSY | [`retry_etxtbsy`] |
//! | spawn a program that someone may still be writing | [`SpawnRetryExt`] (`spawn_retrying`, `output_retrying`, `status_retrying`) |
//! | retry other transient OS errors (Windows sharing violations, macOS EPERM after a build) | [`RetryPolicy`] with [`Classifier::for_op`] |
//! | test your own retry loop without sleeping | [`RetryPolicy::clock`] with a [`retry::ManualClock`] |
//! | reproduce the fork race on demand | [`lab::ForkStorm`], [`lab::WriteHold`], [`lab::stress`] |
//! | fail an operation on demand, kernel-identical, scoped to one test | [`fault::FaultPlan`], [`fs`], [`process::Command`], [`fault::point`] |
//! | fail every call in turn, and see which failure your code mishandles | [`sweep`] |
//! | fake a command (`git`, a compiler) on `PATH` and assert on its calls | [`fake::FakeDir`] |
//! | put a fresh build where a running program is | [`replace_executable`] |
//! | rename, remove or copy through antivirus and lingering handles | [`robust`] |
//! | keep processes that build the same artifact from clobbering it | [`ArtifactLock`] |
//! | keep ETXTBSY out of a whole process tree you don't control, no retry | [`shield`] |
//! | any of these in an async (tokio) suite | [`fault::FaultScope::scoped`], and with the `tokio` feature `AsyncSpawnRetryExt`, `RetryPolicy::run_async`, `fs::tokio`, `ArtifactLock::lock_async`, the `_async` forms in [`robust`] and [`replace`] |
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
//! Errors that come from the OS are passed on as the OS gave them:
//! `raw_os_error()` and `kind()` survive, because that is what classifiers
//! (yours and ours) key on. [`InstallError`] and [`ReplaceError`] add the
//! step and the path, and convert back into the untouched `io::Error`.
//!
//! # Cargo features
//!
//! - `chaos`: `FLAKEPROOF_FAULTS` activates a fault plan for the whole run
//!   (see [`fault`]). Off by default, so that a program that ships
//!   flakeproof for its retries can't be made to fail by its users'
//!   environment; turn it on in `[dev-dependencies]`.
//! - `tokio`: the async forms, for tokio suites (`#[tokio::test]`, also
//!   `flavor = "multi_thread"`). Retries sleep on tokio's timer and a
//!   retried spawn's wait for the program's writer is an inotify watch on
//!   tokio's reactor: no worker blocks. What would block (`robust`,
//!   `replace_executable`, `FakeDir`'s waits) runs on the blocking pool
//!   with the plan in force carried in. Plans are thread-scoped; a task
//!   moves between workers, so run it inside its plan with
//!   [`fault::FaultScope::scoped`] (no feature needed), which enters the
//!   plan on every poll. Kernel plans follow a thread, so they are refused
//!   inside a multi-thread runtime. Off by default: without it the library
//!   gains nothing.
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
//!   ETXTBSY to prevent and the installer does not wait. [`Classifier`]
//!   knows macOS's EPERM on copies over fresh builds (DioxusLabs/dioxus#5275).
//! - **Other Unixes** (the BSDs): exec of a write-open file fails with
//!   ETXTBSY; the flock barrier runs.
//! - **Windows**: no fork, so no inheritance race; installs are
//!   write-then-rename, and the classifiers cover antivirus and pending
//!   deletes (errors 5, 32, 33, 145, 303).

#![deny(missing_docs, unsafe_code, unsafe_op_in_unsafe_fn)]
#![warn(rust_2018_idioms, unreachable_pub)]

#[cfg(feature = "tokio")]
mod blocking;
pub mod classify;
pub mod errno;
pub mod fake;
pub mod fault;
pub mod fs;
pub mod install;
mod kernel_plan;
pub mod lab;
pub mod lock;
mod move_aside;
mod names;
mod os;
pub mod process;
pub mod replace;
pub mod retry;
mod rng;
pub mod robust;
pub mod shield;
mod spawn;
#[cfg(feature = "tokio")]
mod spawn_async;
mod sweep;
// The one layer with file and process calls, and so the only one allowed
// `unsafe` and std's fs/process calls (clippy.toml).
#[allow(unsafe_code, clippy::disallowed_methods)]
#[deny(clippy::undocumented_unsafe_blocks)]
mod sys;
#[cfg(test)]
mod test_support;

// The names a first test needs; the rest live in the module named for them.
pub use classify::{Classifier, Op};
pub use install::{InstallError, StubInstaller, install_executable_stub};
pub use lock::ArtifactLock;
pub use replace::{ReplaceError, replace_executable};
pub use retry::{RetryPolicy, retry_etxtbsy};
pub use spawn::SpawnRetryExt;
#[cfg(feature = "tokio")]
pub use spawn_async::AsyncSpawnRetryExt;
pub use sweep::{Sweep, SweepFailure, sweep};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
