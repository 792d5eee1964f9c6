//! Fake commands on `PATH`: a directory of programs that answer as a test
//! scripts them and record exactly how they were called.
//!
//! The pattern this replaces: a test writes a fake `git` as a shell script,
//! puts its directory on `PATH`, and runs the code under test, which runs
//! `git`. It flakes with ETXTBSY (another test thread forked while the
//! script's descriptor was open), quotes arguments wrongly, can't tell call
//! 2 from call 3 when calls overlap, and needs `/bin/sh`. Here:
//!
//! - Each fake is one compiled program, the shim (about 430 KiB), built by
//!   flakeproof's `build.rs` for your target with your `rustc` and embedded
//!   in the library: nothing to install, no interpreter. It is extracted
//!   once per build next to the test executable (with
//!   [`StubInstaller`](crate::StubInstaller), exec-safe) and hard-linked
//!   into each fake directory, so no writable descriptor ever exists on a
//!   fake's name. Where a link can't be made (another filesystem, a
//!   link-count limit) it is copied, exec-safely. On Windows each fake
//!   directory links to a copy of its own: Windows won't delete any name of
//!   a running program, so a shared copy would pin other tests' directories.
//! - Rules are data ([`ArgMatch`], [`Reply`]), since the fake runs in another
//!   process: exact, prefix, contains or any arguments; output, exit code or
//!   signal, delays, hangs until released, echoing stdin, passing through
//!   to the real program; sequences where "call N gets reply N" holds under
//!   any concurrency.
//! - Every call is recorded ([`Invocation`]) before the fake does anything
//!   else: argv as `OsString`s, cwd, chosen environment variables, stdin,
//!   pid, the rule and step that answered, and where it stands
//!   ([`RunState`]), including [`RunState::Running`] and [`RunState::Killed`].
//! - The shim reads everything from files beside it, so a child that
//!   clears its environment still gets the right answers, and it links no
//!   flakeproof code: fault plans and chaos mode never reach it.
//!
//! ```
//! use flakeproof::fake::{ArgMatch, FakeDir, Reply};
//! let fakes = FakeDir::new()?;
//! let git = fakes.fake("git").install()?;
//! git.when(ArgMatch::exact(["rev-parse", "HEAD"])).reply(Reply::stdout("0123abcd\n"))?;
//!
//! let out = fakes.command("git").args(["rev-parse", "HEAD"]).output()?;
//! assert_eq!(out.stdout, b"0123abcd\n");
//! fakes.verify()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # When the shim could not be built
//!
//! `build.rs` compiles `shim/main.rs` with cargo's `$RUSTC` for the target
//! being built. It never fails the build: where that compile can't work
//! (docs.rs, a target whose std is built with `-Zbuild-std`, a missing
//! linker) it prints a warning, and [`FakeDir::new`] returns an
//! [`Unsupported`](std::io::ErrorKind::Unsupported) error that says why.
//! The fallback: build the shim yourself for that target (it is one
//! std-only file: `rustc --target T -C panic=abort shim/main.rs`, or, for a
//! `-Zbuild-std` target, a throwaway cargo manifest whose `[[bin]]` points at
//! it, as scripts/windows-test.sh writes) and set
//! `FLAKEPROOF_SHIM=/absolute/path/to/it` when building;
//! `build.rs` embeds that file instead. flakeproof's own Windows CI does
//! this (scripts/windows-test.sh).
//!
//! Not offered: making your test binary itself the shim. It would need code
//! that runs before libtest's `main` (a constructor in a linker section,
//! `unsafe` in your crate) and a copy of a test binary of many MiB per
//! place it can't be linked; the variable covers the same cases.
//!
//! # Platforms and limits
//!
//! - **Linux** is where it is measured and tested, on ext4, tmpfs, overlayfs
//!   and FUSE (bindfs). Through bindfs a hard link is another inode to the
//!   kernel, so the shim locks its record through the final name as well.
//!   Where no lock can be had (ENOLCK), a call whose lock is free but which
//!   left no end record is asked after by pid (`/proc` on Linux,
//!   `kill(pid, 0)` elsewhere): one killed and whose pid was reused since
//!   would read as running.
//! - On Windows a program run without an explicit `PATH` in its `Command`
//!   is looked for in the application's directory and System32 before
//!   `PATH`: set `PATH` on the command ([`FakeDir::command`] does), and
//!   don't fake programs that live in System32 (`where`, `tar`, `curl`)
//!   for code that doesn't.
//! - **Windows**: fakes are `.exe` files only (a `.cmd` fake would have
//!   `cmd.exe` re-parse its arguments); arguments round-trip as UTF-16,
//!   unpaired surrogates included; exit codes keep all 32 bits; there are no
//!   signals. The whole test suite runs under Wine in CI.
//! - **macOS** is type-checked only. Fakes are hard links there too (the
//!   `clonefile` path the design allows for is not written).
//! - The shim's record writes can't be put under a fault plan: it links no
//!   flakeproof code. Faults inside child processes are a separate feature.
//! - [`FakeDir::wait_for_calls`] and [`FakeDir::wait_for_finished`] are
//!   woken by the records on Linux (inotify on the directory they land in,
//!   re-read at least every 100 ms as a backstop); elsewhere they poll the
//!   records (1 ms, doubling to 20 ms). For a call 30-49 ms after the wait
//!   began, `wait_for_calls` returned a median 36-75 µs after the call's
//!   first output could be read (11.3-11.7 ms when polling), and
//!   `wait_for_finished` 33 µs before the parent's `waitpid` saw its exit
//!   (7.8-8.7 ms after it when polling); `cargo bench --bench fakes`.
//!
//! # Costs, measured
//!
//! See `cargo bench --bench fakes` and the README: a call of a fake against
//! a spawn of `/bin/true`, a `#!/bin/sh` fake, and making a directory.

// One job per file; the dependencies run one way: `dir` (FakeDir) uses
// `command` (a fake) which uses `rule`; all three share `state`; `records`
// reads what the shim wrote into `invocation`s, `wait` waits for them,
// `verify` judges them; `shim` places the program; `wire` is the format
// the shim shares.
mod command;
mod dir;
mod error;
mod invocation;
mod records;
mod reply;
mod rule;
mod shim;
mod state;
mod verify;
mod wait;
mod wire;
#[cfg(test)]
mod wire_tests;

pub use command::{Fake, FakeBuilder};
pub use dir::FakeDir;
pub use error::FakeError;
pub use invocation::{Invocation, RunState};
pub use reply::{ArgMatch, Reply};
pub use rule::{RuleBuilder, RuleHandle};
pub use verify::Unmet;
pub use wire::AfterLast;
