//! Fault injection: deterministic, scoped, errno-level failures for file and
//! process operations, indistinguishable from the kernel's.
//!
//! A [`FaultPlan`] is a list of rules `operation(path pattern)=action@trigger`.
//! Activate it and every step of flakeproof's own operations (each file and
//! process call of an install, a retrying spawn ...), every [`crate::fs`] and
//! [`crate::process`] wrapper, and every [`point`] in your own code consults
//! it first (the barrier's polling probes and the filesystem lookup are
//! consulted once per step, not per poll): a rule that fires fails the call with an `io::Error` whose
//! `raw_os_error()` and `kind()` are what the kernel would give, without
//! making the call. (The [`crate::lab`] tools are the exception: they make
//! the conditions of a race, and never consult a plan.)
//!
//! ```
//! use std::io;
//! use flakeproof::fault::FaultPlan;
//! use flakeproof::{fs, Op};
//!
//! let dir = tempfile::tempdir()?;
//! let (a, b) = (dir.path().join("a"), dir.path().join("b"));
//! std::fs::write(&a, "x")?;
//!
//! let plan: FaultPlan = "rename(*/b)=EBUSY@1..2".parse().unwrap();
//! let guard = plan.activate(); // this thread only, until dropped
//! let first = fs::rename(&a, &b).unwrap_err();
//! # #[cfg(target_os = "linux")]
//! assert_eq!(first.raw_os_error(), Some(16)); // EBUSY, as the kernel spells it
//! assert!(fs::rename(&a, &b).is_err());
//! fs::rename(&a, &b)?; // the third call passes through to the kernel
//! assert_eq!(guard.attempts(Op::Rename, "*/b"), 3);
//! assert_eq!(guard.injected(Op::Rename, "*"), 2);
//! # Ok::<(), io::Error>(())
//! ```
//!
//! # The text form
//!
//! This is the one description of the grammar; the README links here.
//!
//! ```text
//! plan     := rule? (';' rule?)*                 whitespace allowed between tokens
//! rule     := op ('(' glob ')')? '=' action ('@' trigger)? ('/per=' scope)?
//! op       := open | open_write | write | close | sync | metadata | rename | copy
//!           | remove_file | remove_dir | create_dir | set_permissions | lock
//!           | spawn | exec | any
//! action   := ERRNO                    fail with this error
//!           | delay(DURATION)          sleep, then make the call (a slow disk)
//!           | busy(ERRNO, DURATION)    fail until DURATION has passed since the
//!                                      rule first matched, then pass
//!           | held(ERRNO)              fail while the plan's held handle lives
//!                                      (FaultPlan::held_handle): a handle only
//!                                      a GC or your retry hook lets go of
//! trigger  := always (the default) | N (the N-th matching call) | N..M | N.. | ..M
//!           | everyN | pP/seed=S (probability P, reproducible from seed S)
//! scope    := tree (the default: one count for every process under the plan)
//!           | process (a count for each process)
//! ```
//!
//! - `op`: the names of [`Op`] ([`Op::name`]). `spawn` is any start of a
//!   program: this process's spawns, and the execs in child trees the plan
//!   is attached to. `exec` is only the latter.
//! - `glob`: `*` matches any run of characters, `/` included; `?` one
//!   character. It can't contain `)` or `;`. No pattern means any path.
//! - `ERRNO`: a name, `EBUSY`, `ETXTBSY`, `EAGAIN` ... on Unix,
//!   `ERROR_SHARING_VIOLATION`, `ERROR_ACCESS_DENIED` ... on Windows, resolved
//!   to the number of the OS it runs on ([`crate::errno`] lists them); or a
//!   raw number.
//! - `DURATION`: a whole number with `ns`, `us`, `ms` or `s`.
//! - Calls are counted per rule, from 1, among the calls that rule matches
//!   (strace's `when=`). Every matching rule counts a call; delays of all
//!   firing rules add up; the first firing failure decides the error.
//! - `/per=process` gives each process its own count: `create_dir=EROFS@1/per=process`
//!   fails the first `mkdir` of every process in a child tree. The default,
//!   `per=tree`, counts the test process's calls and every child's together.
//! - A probability draw is a function of (seed, rule, scope, k), k being the
//!   call's number in its count; the scope is 0 for `per=tree` and for this
//!   process, and a hash of the executable for a child under `per=process`.
//!   Same plan, same seed, same sequence of calls: same faults, every run.
//!   Calls from several processes (or threads) come in the order the
//!   scheduler lets them: a count shared between them sees that order, and
//!   only that is not reproducible.
//!
//! Examples: `spawn(*/stub-*)=ETXTBSY@1..2` (the first two spawns of a stub
//! fail as if a sibling held it open), `rename=EBUSY@p0.1/seed=7` (one rename
//! in ten, reproducibly), `write=delay(20ms)`, `remove_dir=busy(ENOTEMPTY,50ms)`,
//! `any(*/cache/*)=EIO@every5`, `sync=EIO@2` (the second fsync: for an
//! install, the directory's).
//!
//! Parse errors name the column and what was expected ([`ParseError`]);
//! `Display` gives back text that parses to the same plan.
//!
//! # Scope
//!
//! - [`FaultPlan::activate`] covers the calling thread until the guard drops.
//!   Two tests running at once in one test binary, each with its own plan, never
//!   see each other's faults. Carry a plan into threads the test spawns with
//!   [`FaultGuard::scope`] and [`FaultScope::enter`], and into async tasks,
//!   across a runtime's workers, with [`FaultScope::scoped`].
//! - [`FaultPlan::activate_process_wide`] covers every thread, for code under
//!   test that starts its own threads. Such a test must not run beside others
//!   (mark it `#[serial]` with `serial_test`, or give it its own test binary).
//!   A thread's own plan takes precedence over the process-wide one.
//! - **Chaos mode** (cargo feature `chaos`): set `FLAKEPROOF_FAULTS` to a plan
//!   and it is active process-wide for the whole run, e.g.
//!   `FLAKEPROOF_FAULTS='spawn=ETXTBSY@every2' cargo test` proves that a
//!   suite's spawns survive ETXTBSY. [`process_wide`] gives its record. An
//!   invalid plan there makes every consulting call, in every thread, fail
//!   with the same `InvalidInput` error naming the variable and the column.
//!   Without the feature the variable is never read: a program that depends
//!   on flakeproof for its retries and installs can't be made to fail by its
//!   users' environment (fail-rs makes the same choice with its `failpoints`
//!   feature). Plans activated in code work with or without it.
//!
//! # The record
//!
//! [`FaultScope::calls`] lists the calls that consulted the plan, in order.
//! The record keeps identical consecutive calls as one entry, and the newest
//! 100,000 entries (see [`FaultPlan::record_limit`]);
//! [`FaultScope::calls_dropped`] says how many older calls left it. Memory
//! stays bounded in a chaos run of any length. [`FaultScope::attempts`] and
//! [`FaultScope::injected`] are exact for the pattern `*` always, and for
//! narrower patterns unless more than the limit's worth of distinct paths
//! left the record ([`FaultScope::counts_are_exact`] says which).
//!
//! With no plan active anywhere, consulting costs one atomic load
//! (`benches/fault.rs`).
//!
//! # Faults in child processes
//!
//! [`process::Command::faults`](crate::process::Command::faults) (and
//! [`ChildFaultsExt`](crate::process::ChildFaultsExt) for
//! `std::process::Command`) puts the children a command spawns, and every
//! process they start, under a plan: real, unmodified programs (`mv`,
//! `cargo`, a shell script, a static binary) see the plan's errors from the
//! kernel itself, counted and recorded with the test's own calls, each with
//! its process's [`Call::pid`] and [`Call::exe`].
//!
//! Linux 5.5 or later (x86_64, aarch64), through seccomp user notification: the
//! child installs a BPF filter between fork and exec that hands the calls
//! of the plan's operations to a supervisor thread in the test process. The
//! supervisor reads the path from the child's memory, resolves it against
//! the caller's working directory or directory descriptor, asks the plan,
//! and answers with the error or lets the call go on. Elsewhere `faults`
//! returns `Unsupported` (a macOS backend through `DYLD_INSERT_LIBRARIES`
//! and a Windows one are future work).
//!
//! | operation | system calls watched in a child tree | path |
//! |---|---|---|
//! | `spawn`, `exec` | `execve`, `execveat` | the program |
//! | `open`, `open_write` | `open`, `openat`, `openat2`, `creat`; write access, `O_CREAT` or `O_TRUNC` makes it `open_write` | the file |
//! | `write` | `write`, `pwrite64`, `writev`, `pwritev`, `pwritev2` | the descriptor's file |
//! | `rename` | `rename`, `renameat`, `renameat2`, and `link`, `linkat` (as flakeproof's own `hard_link`) | the destination |
//! | `remove_file` | `unlink`, `unlinkat` | the file |
//! | `remove_dir` | `rmdir`, `unlinkat(AT_REMOVEDIR)` | the directory |
//! | `copy` | `copy_file_range`, `sendfile`, `ioctl(FICLONE / FICLONERANGE)` | the destination descriptor's file |
//! | `sync` | `fsync`, `fdatasync`, `syncfs` | the descriptor's file |
//! | `create_dir` | `mkdir`, `mkdirat` | the directory |
//! | `set_permissions` | `chmod`, `fchmod`, `fchmodat`, `fchmodat2` | the file |
//! | `lock` | `flock`, `fcntl(F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW)` | the descriptor's file |
//! | `close`, `metadata` | not watched: every program makes dozens before `main` | |
//!
//! Only the operations the plan names (`any` names all) are watched in a
//! child, and execs always (they tell the supervisor which program each
//! process runs): a child's calls of other operations never leave the
//! kernel, and are neither consulted nor recorded (this process's calls
//! all consult the plan). The filter reads the flags where they decide the
//! operation: a plan naming `open` but not `open_write` (or the reverse)
//! has only the opens of its kind handed over (`openat2` always, its flags
//! being behind a pointer), and the same for `unlinkat` between
//! `remove_file` and `remove_dir`. aarch64 has only the `*at` forms. A relative
//! path is joined to the caller's directory as `/proc/PID/cwd` (or
//! `/proc/PID/fd/N` for a directory descriptor) shows it, symlinks
//! resolved; the path after it is folded lexically (`.`, `..`), its
//! symlinks not resolved. Paths of descriptor calls come from
//! `/proc/PID/fd/N`.
//!
//! What the kernel could have said, and nothing else:
//!
//! - A call is consulted only if the kernel would get past its lookup: the
//!   file exists (for exec, open, chmod, unlink, rmdir; a rename's or
//!   link's source), or the directory to create it in does. Otherwise the
//!   kernel answers ENOENT itself, uncounted. A PATH search execs every
//!   candidate in turn (glibc's `execvp`), and stops at the first error
//!   other than ENOENT and a few others: an ETXTBSY on a candidate that
//!   isn't there is an error the kernel never gives, and would end the
//!   search.
//! - The spawn is counted once: as `spawn` in this process when it goes
//!   through flakeproof's gate ([`process::Command`](crate::process::Command),
//!   [`SpawnRetryExt`](crate::SpawnRetryExt)); through std's own `spawn`,
//!   the child's first exec is consulted as `spawn` on the resolved file,
//!   and an injected error comes back from std's `spawn`, as the kernel's
//!   would. Before that exec, nothing else the child does is consulted
//!   (std's own setup between fork and exec).
//! - A call interrupted by a signal and restarted (Go's preemption, a
//!   timer) is counted once: once the supervisor has received a call,
//!   only a fatal signal ends the wait (`SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`,
//!   Linux 5.19; on 5.5 to 5.18 a restarted call counts twice, and the
//!   test of it fails there).
//! - Rules match in the order the calls reach the supervisor: for the calls
//!   of one thread, their order; across processes, the scheduler's.
//!
//! Limits, stated plainly:
//!
//! - No-new-privs is set in the child: setuid and setgid programs in the
//!   tree run without their privileges.
//! - io_uring operations and 32-bit (or x32) programs in the tree are not
//!   seen: their calls bypass the filter's table.
//! - Reading a child's memory follows ptrace's rules: under Yama's
//!   `ptrace_scope` 2 or 3, and in a process of the tree that changed its
//!   user (`Command::uid`, `setpriv`, `su`), paths can't be read, and
//!   those calls pass unseen and unrecorded.
//! - A child under a plan can't attach a plan of its own, and neither can a
//!   test running under a sandbox that holds a seccomp listener already:
//!   `faults` returns `Unsupported` naming the reason (the OS error is the
//!   [`source`](std::error::Error::source) of the error's inner value), as
//!   it does where seccomp is refused. A test can skip on it; a plan is
//!   never silently left out.
//! - The fake commands' shim ([`crate::fake`]) is out of a child plan's
//!   reach: a plan for the code under test (`rename=EBUSY`) must not break
//!   the fake's records, which are claimed by hard links. Its calls still
//!   make the round trip, and pass unconsulted. The programs a fake passes
//!   through to are under the plan.
//! - Dropping the [`FaultGuard`] kills the trees the plan is attached to,
//!   descendants first (found through `/proc/PID/task/TID/children`), so a
//!   stuck child can't outlive its test. Out of its reach: a process that
//!   left its tree (a daemon's double fork), one forked while the tree is
//!   walked, and a tree whose listener the supervisor has not received yet.
//!   Those run on unfaulted, and the supervisor answers them until they
//!   exit. A plan attached through a scope after its guard dropped is
//!   ended at once.
//!
//! Cost (`benches/child_faults.rs`, on tmpfs, this machine: Linux 6.18, 2
//! cores, two runs): a watched call costs a round trip of 19.6 to 21.7 µs
//! (27 to 32 µs before the listener asked for synchronous wakeups, Linux
//! 6.6+); `cp -r` of 1,000 files under a plan whose operations cp never
//! performs took 1.04x to 1.07x the time without one, spawn included, and
//! 2.65x under an `open` rule (every
//! open a round trip, the loader's 30 to 40 per program included).
//!
//! # Plans the kernel enforces
//!
//! [`FaultPlan::activate_in_kernel`] (Linux) has the kernel enforce the plan
//! on the calling thread's own system calls, so code that never calls
//! flakeproof (`std::fs`, a C library, any crate) meets it, with no re-exec:
//! a seccomp filter on that thread alone, answered by a supervisor thread.
//! The record names each call's thread ([`Call::tid`]); a call made through
//! flakeproof's own functions is counted once, by them. Threads the plan's
//! thread starts count once they [`FaultScope::enter`]; children, when
//! their command has the plan attached. The kernel's terms (a filter for
//! the thread's life, no-new-privs) are in the method's docs, the costs in
//! `docs/kernel-plans.md` (`benches/kernel_plan.rs`: an unlisted call
//! 1.03x, a listed `write` no rule matches +9 µs, other threads nothing).
//! Wrap the test's own setup and checks in [`exempt`].
//!
//! # Failure-point sweeps
//!
//! [`crate::sweep`] runs a scenario once per call a rule matches, failing
//! each in turn, and reports the points the code under test did not
//! recover from: in this process (through the kernel, on Linux, as above),
//! and in child processes through the plan it hands the scenario.

mod activation;
mod display;
mod parse;
mod plan;
mod record;
mod scope;

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

pub use parse::ParseError;
pub use record::{Call, Outcome};
pub use scope::{EnteredScope, FaultGuard, FaultScope, ProcessFaultGuard, Scoped};

pub use activation::exempt;
#[cfg(target_os = "linux")] // kernel plans' registry
pub(crate) use activation::{Entered, thread_mark};
pub(crate) use activation::{decide, gate, plan_in_force};
use plan::Holds;
pub(crate) use plan::Verdict;

use crate::classify::Op;
use crate::os::Os;
use crate::retry::clock::Clock;
#[cfg(target_os = "linux")] // the supervisor's
pub(crate) use activation::ChildCall;
pub(crate) use activation::Shared;
use display::DisplayRules;
use plan::Rule;

/// A fault plan: rules of (operation, path pattern, action, trigger). See the
/// [module docs](self) for the text form.
///
/// Two plans are equal when their rules are; the clock and record limit are
/// options of how it runs.
///
/// ```
/// use flakeproof::fault::FaultPlan;
/// let plan = FaultPlan::parse("spawn(*/stub-*) = ETXTBSY @ 1..2;write=delay(20ms)").unwrap();
/// assert_eq!(plan.to_string(), "spawn(*/stub-*)=ETXTBSY@1..2; write=delay(20ms)");
/// assert_eq!(plan.to_string().parse::<FaultPlan>().unwrap(), plan);
/// ```
#[derive(Clone)]
pub struct FaultPlan {
    rules: Vec<Rule>,
    holds: Holds,
    clock: Option<Arc<dyn Clock>>,
    limit: usize,
}

impl PartialEq for FaultPlan {
    fn eq(&self, other: &Self) -> bool {
        self.rules == other.rules
    }
}

impl fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FaultPlan({})", DisplayRules(&self.rules))
    }
}

impl FaultPlan {
    /// Parse the text form, with error names as this OS numbers them.
    ///
    /// ```
    /// let plan = flakeproof::fault::FaultPlan::parse("rename=EBUSY@1..3").unwrap();
    /// assert_eq!(plan.to_string(), "rename=EBUSY@1..3");
    /// ```
    pub fn parse(text: &str) -> Result<FaultPlan, ParseError> {
        Self::parse_for(Os::CURRENT, text)
    }

    /// Parse the text form with error names as `os` numbers them.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, classify::Os};
    /// assert!(FaultPlan::parse_for(Os::Windows, "rename=ERROR_SHARING_VIOLATION").is_ok());
    /// assert!(FaultPlan::parse_for(Os::Linux, "rename=ERROR_SHARING_VIOLATION").is_err());
    /// ```
    pub fn parse_for(os: Os, text: &str) -> Result<FaultPlan, ParseError> {
        parse::parse(text, os).map(|rules| FaultPlan {
            rules,
            holds: Holds::default(),
            clock: None,
            limit: record::DEFAULT_LIMIT,
        })
    }

    /// Read time and sleep injected delays on `clock` instead of the system
    /// clock: with a [`ManualClock`](crate::retry::ManualClock) shared with a
    /// [`RetryPolicy`](crate::RetryPolicy), a retry loop against a `busy(..)`
    /// window runs instantly and always takes the same attempts.
    ///
    /// ```
    /// use std::{sync::Arc, time::Duration};
    /// use flakeproof::{fault::FaultPlan, fs, Classifier, RetryPolicy, retry::ManualClock};
    /// let clock = Arc::new(ManualClock::new());
    /// let _g = FaultPlan::parse("create_dir=busy(EBUSY,40ms)").unwrap().clock(clock.clone()).activate();
    /// let policy = RetryPolicy::new(Classifier::new(|e| e.kind() == std::io::ErrorKind::ResourceBusy))
    ///     .clock(clock.clone());
    /// let dir = tempfile::tempdir()?;
    /// let (r, report) = policy.run_with_report(|| fs::create_dir(dir.path().join("d")));
    /// r?;
    /// # #[cfg(unix)]
    /// assert_eq!(report.attempts, 7); // slept 1+2+4+8+16+32 = 63 ms >= 40 ms
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> FaultPlan {
        self.clock = Some(clock);
        self
    }

    /// Keep at most `entries` entries in the record (default 100,000); an
    /// entry is a run of identical consecutive calls (same operation, path
    /// and outcome). Older entries leave the record but stay counted by
    /// `attempts` and `injected`.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs, Op};
    /// let g = FaultPlan::parse("").unwrap().record_limit(2).activate();
    /// for i in 0..5 { let _ = fs::remove_file(format!("/nonexistent/{i}")); }
    /// assert_eq!(g.calls().len(), 2);
    /// assert_eq!(g.calls_dropped(), 3);
    /// assert_eq!(g.attempts(Op::RemoveFile, "*"), 5);
    /// ```
    #[must_use]
    pub fn record_limit(mut self, entries: usize) -> FaultPlan {
        self.limit = entries;
        self
    }

    /// This plan's one rule, firing at its `k`-th matching call only: a
    /// sweep's point. `None` unless the plan is one rule without a trigger.
    pub(crate) fn at_call(&self, k: u64) -> Option<FaultPlan> {
        match self.rules.as_slice() {
            [r] if r.trigger == plan::Trigger::Always => {
                let mut rule = r.clone();
                rule.trigger = plan::Trigger::Calls {
                    from: k,
                    to: Some(k),
                };
                Some(FaultPlan {
                    rules: vec![rule],
                    ..self.clone()
                })
            }
            _ => None,
        }
    }

    fn into_shared(self) -> Arc<Shared> {
        Arc::new(Shared::new(self.rules, self.holds, self.clock, self.limit))
    }

    /// A handle that keeps this plan's `held(..)` rules failing until it is
    /// dropped (with every other handle taken): the stand-in for a handle
    /// that something else keeps open and only lets go of when asked, as a
    /// database handle lingers until a garbage collector runs. Give it to
    /// the code whose retry hook should let go of it (its cache of open
    /// handles, its GC stand-in), and the test shows the hook is what frees
    /// the file: without the drop, the retries run out.
    ///
    /// Without any handle taken, `held(..)` rules fail for good.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use flakeproof::{fault::FaultPlan, Classifier, RetryPolicy};
    /// let dir = tempfile::tempdir()?;
    /// let db = dir.path().join("app.db");
    /// std::fs::write(&db, "data")?;
    /// let plan = FaultPlan::parse("remove_file(*/app.db)=held(EBUSY)").unwrap();
    /// // The application's cache of open handles, with the lingering one in it.
    /// let cache = Arc::new(Mutex::new(vec![plan.held_handle()]));
    /// let _g = plan.activate();
    /// let busy = Classifier::new(|e| e.kind() == std::io::ErrorKind::ResourceBusy);
    /// let hook_cache = cache.clone();
    /// let (r, report) = RetryPolicy::new(busy)
    ///     .on_retry(move |_| hook_cache.lock().unwrap().clear()) // "close my handles"
    ///     .run_with_report(|| flakeproof::fs::remove_file(&db));
    /// r?;
    /// assert_eq!(report.attempts, 2); // refused, hook, removed
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn held_handle(&self) -> HeldHandle {
        self.holds.take();
        HeldHandle(self.holds.clone())
    }

    /// Make the plan active on this thread until the guard is dropped.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs};
    /// let dir = tempfile::tempdir()?;
    /// {
    ///     let _guard = FaultPlan::parse("create_dir=EROFS").unwrap().activate();
    ///     assert!(fs::create_dir(dir.path().join("x")).is_err());
    /// }
    /// fs::create_dir(dir.path().join("x"))?; // the plan ended with its guard
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// Dropping the guard at once ends the plan at once, so an unused guard
    /// is an error under `#![deny(unused_must_use)]`:
    ///
    /// ```compile_fail
    /// #![deny(unused_must_use)]
    /// flakeproof::fault::FaultPlan::parse("spawn=ETXTBSY").unwrap().activate();
    /// ```
    #[must_use = "the plan ends when the guard drops: bind it, `let _guard = plan.activate();`"]
    pub fn activate(self) -> FaultGuard {
        let scope = FaultScope(self.into_shared());
        let entered = scope.enter();
        FaultGuard { scope, entered }
    }

    /// [`activate`](Self::activate), with `prepare` run on the plan first
    /// (the kernel's enforcement, from `sys`, which this module can't call).
    pub(crate) fn activate_with(
        self,
        prepare: impl FnOnce(&Arc<Shared>) -> io::Result<()>,
    ) -> io::Result<FaultGuard> {
        let shared = self.into_shared();
        prepare(&shared)?;
        let scope = FaultScope(shared);
        let entered = scope.enter();
        Ok(FaultGuard { scope, entered })
    }

    /// Make the plan active on every thread until the guard is dropped.
    /// Fails with `AlreadyExists` if a process-wide plan (another test's, or
    /// `FLAKEPROOF_FAULTS`) is active. Tests using this must not run beside
    /// other tests.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs};
    /// let dir = tempfile::tempdir()?;
    /// let guard = FaultPlan::parse("create_dir=ENOSPC").unwrap().activate_process_wide()?;
    /// let path = dir.path().join("x");
    /// let from_thread = std::thread::spawn(move || fs::create_dir(path)).join().unwrap();
    /// # #[cfg(unix)]
    /// assert_eq!(from_thread.unwrap_err().kind(), std::io::ErrorKind::StorageFull);
    /// assert_eq!(guard.calls().len(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the plan ends when the guard drops"]
    pub fn activate_process_wide(self) -> io::Result<ProcessFaultGuard> {
        let shared = self.into_shared();
        activation::set_global(&shared)?;
        Ok(ProcessFaultGuard {
            scope: FaultScope(shared),
        })
    }
}

/// Keeps the `held(..)` rules of the plan it came from failing while it
/// lives: see [`FaultPlan::held_handle`].
///
/// ```
/// use flakeproof::{fault::FaultPlan, fs};
/// let dir = tempfile::tempdir()?;
/// let plan = FaultPlan::parse("create_dir=held(EBUSY)").unwrap();
/// let handle = plan.held_handle();
/// let _g = plan.activate();
/// assert!(fs::create_dir(dir.path().join("a")).is_err());
/// drop(handle); // what the garbage collector would do
/// fs::create_dir(dir.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "the held rules pass as soon as the handle is dropped"]
pub struct HeldHandle(Holds);

impl fmt::Debug for HeldHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HeldHandle")
    }
}

impl Drop for HeldHandle {
    fn drop(&mut self) {
        self.0.release();
    }
}

impl FromStr for FaultPlan {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        FaultPlan::parse(s)
    }
}

impl fmt::Display for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        DisplayRules(&self.rules).fmt(f)
    }
}

/// The process-wide plan in force (from `FLAKEPROOF_FAULTS` or
/// [`FaultPlan::activate_process_wide`]), to read its record.
///
/// ```
/// // In a chaos run: how many faults did the suite ride out?
/// if let Some(chaos) = flakeproof::fault::process_wide() {
///     let injected = chaos.calls().iter().filter(|c| c.injected()).count();
///     eprintln!("{}: {injected} faults injected", chaos.plan());
/// }
/// ```
pub fn process_wide() -> Option<FaultScope> {
    activation::global().map(FaultScope)
}

/// A fault point for your own code: consults the active plan as the
/// operation `op` on `path` would, and returns the injected error, if any
/// (after any injected delay). With no plan active it costs one atomic load.
///
/// ```
/// use std::io;
/// use flakeproof::{fault::{self, FaultPlan}, Op};
///
/// fn upload(path: &str) -> io::Result<()> {
///     fault::point(Op::Write, path)?; // lets tests fail this step on demand
///     Ok(())
/// }
///
/// let _g = FaultPlan::parse("write(*.bin)=EIO@2").unwrap().activate();
/// assert!(upload("a.bin").is_ok());
/// let e = upload("b.bin").unwrap_err();
/// # #[cfg(unix)]
/// assert_eq!(e.raw_os_error(), Some(5)); // EIO
/// assert!(upload("c.txt").is_ok()); // the pattern does not match
/// ```
pub fn point(op: Op, path: impl AsRef<Path>) -> io::Result<()> {
    gate(op, path.as_ref()).map(drop)
}
