//! The shield: no "Text file busy" anywhere in a command's process tree,
//! with no retry and no change to the programs in it (Linux).
//!
//! The race: a thread writes a file, another thread forks, and the child
//! holds an inherited copy of the writable descriptor until its own exec;
//! an exec of the file meanwhile fails with ETXTBSY (golang/go#22315,
//! rust-lang/rust#114554, dotnet/runtime#58964). Every known fix lives in
//! one program; a suite whose code and dependencies you don't control
//! can't use them.
//!
//! A shielded tree runs under a seccomp filter that hands only its
//! `execve`/`execveat` calls to a supervisor thread in this process. The
//! supervisor asks the kernel's own question, "does the file have a
//! writer?" (a read lease is refused exactly while it does), and holds the
//! exec until the last writer closes (inotify's `IN_CLOSE_WRITE`, then a
//! short re-probe: the event comes just before the write count drops).
//! Then the exec goes on and the kernel's check passes. Every other system
//! call runs at full speed.
//!
//! What it can't do, said plainly:
//! - A writer that never closes (the program execs a file it has open for
//!   writing itself, or a child that keeps the descriptor and never execs)
//!   holds the exec for the budget ([`Shield::budget`], 5 s unless set);
//!   then the exec goes on and the kernel answers ETXTBSY, as it would have
//!   at once. The report counts those.
//! - The lease needs the file's owner or `CAP_LEASE` (root), and a
//!   filesystem that grants leases (not NFS without delegation, not most
//!   FUSE filesystems). Another user's file goes on at once (`not_ours`:
//!   only that user or root could be writing it); on a filesystem without
//!   leases the exec goes on at once, counted as `unchecked`.
//! - The filter needs no-new-privs: setuid programs in the tree run
//!   without their privileges, and `sudo` refuses to run at all.
//! - Paths are resolved as the supervisor sees them: a tree that chroots
//!   or enters another mount namespace execs files the supervisor may know
//!   by another name: it asks about the file the name means in its own
//!   namespace, and lets the exec go on at once if there is none.
//! - Processes of the tree that outlive the command lose the shield when
//!   its process ends: the kernel then fails their execs with ENOSYS
//!   ([`ShieldReport::trees_running`] tells; `flakeproof shield` warns).
//! - One seccomp listener per process tree: inside a shielded tree, a
//!   child fault plan can't attach, and its `faults` says the tree is under
//!   flakeproof's shield (`FLAKEPROOF_SECCOMP_OWNER`). A command takes a
//!   plan and a shield together ([`ShieldExt::shield_with_faults`]), not
//!   one after the other.
//!
//! From a shell, any language: `flakeproof shield -- cargo test` (the
//! `flakeproof` command, `cli/`).
//!
//! ```
//! use flakeproof::shield::{Shield, ShieldExt};
//!
//! let shield = Shield::new();
//! let mut suite = std::process::Command::new("sh");
//! suite.args(["-c", "true"]);
//! if suite.shield(&shield).is_ok() {
//!     assert!(suite.status()?.success());
//!     let report = shield.report();
//!     assert!(report.execs >= 1); // sh itself, and `true` if sh forks for it
//!     assert_eq!(report.released_by_budget, 0);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use crate::fault::FaultScope;
use crate::sys::{self, ShieldStats};

/// The default budget: how long an exec may be held before it goes on
/// regardless. Far past the windows measured here (a forked child keeps an
/// inherited descriptor for microseconds to a few hundred milliseconds
/// under load: docs/races.md), short enough that a writer that never
/// closes costs a failing test seconds, not its timeout.
const DEFAULT_BUDGET: Duration = Duration::from_secs(5);

/// A shield for one or more commands: their execs are held while their
/// file has a writer. Cloning it shares the counters.
///
/// ```
/// use std::time::Duration;
/// use flakeproof::shield::Shield;
///
/// let shield = Shield::new().budget(Duration::from_secs(2));
/// assert_eq!(shield.report().budget, Duration::from_secs(2));
/// assert_eq!(shield.report().held, 0);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a shield does nothing until a command is given it"]
pub struct Shield {
    stats: Arc<ShieldStats>,
}

impl Default for Shield {
    fn default() -> Shield {
        Shield::new()
    }
}

impl Shield {
    /// A shield with the default budget (5 s).
    ///
    /// ```
    /// let shield = flakeproof::shield::Shield::new();
    /// assert_eq!(shield.report().execs, 0);
    /// ```
    pub fn new() -> Shield {
        Shield {
            stats: Arc::new(ShieldStats {
                budget: DEFAULT_BUDGET,
                ..ShieldStats::default()
            }),
        }
    }

    /// How long one exec may be held; then it goes on, and the kernel
    /// answers as it would have (ETXTBSY if the writer is still there).
    /// Set it before giving the shield to a command: the counters start
    /// afresh.
    ///
    /// ```
    /// use std::time::Duration;
    /// let shield = flakeproof::shield::Shield::new().budget(Duration::from_millis(500));
    /// assert_eq!(shield.report().budget, Duration::from_millis(500));
    /// ```
    pub fn budget(self, budget: Duration) -> Shield {
        Shield {
            stats: Arc::new(ShieldStats {
                budget,
                ..ShieldStats::default()
            }),
        }
    }

    /// What the shield did so far, across every command given it.
    ///
    /// ```
    /// let report = flakeproof::shield::Shield::new().report();
    /// assert_eq!((report.held, report.longest_hold), (0, std::time::Duration::ZERO));
    /// ```
    pub fn report(&self) -> ShieldReport {
        let s = &self.stats;
        ShieldReport {
            execs: s.execs.load(Relaxed),
            held: s.held.load(Relaxed),
            total_hold: Duration::from_nanos(s.total_hold_ns.load(Relaxed)),
            longest_hold: Duration::from_nanos(s.longest_hold_ns.load(Relaxed)),
            released_by_budget: s.released_by_budget.load(Relaxed),
            unchecked: s.unchecked.load(Relaxed),
            not_ours: s.not_ours.load(Relaxed),
            trees_running: s.trees.load(Relaxed),
            budget: s.budget,
        }
    }
}

/// What a shield did: read it after the command ran.
///
/// ```
/// let r = flakeproof::shield::Shield::new().report();
/// println!("{} exec(s), {} held ({:?} in all)", r.execs, r.held, r.total_hold);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShieldReport {
    /// Exec calls whose file was there to check (a PATH search's missing
    /// candidates are not counted).
    pub execs: u64,
    /// Execs held because their file had a writer; an exec restarted after
    /// a signal counts once.
    pub held: u64,
    /// All the holds, added up.
    pub total_hold: Duration,
    /// The longest hold.
    pub longest_hold: Duration,
    /// Held execs the budget let go while the writer was still there: the
    /// kernel answered those ETXTBSY.
    pub released_by_budget: u64,
    /// Execs let go unchecked: on a filesystem that grants no lease (NFS
    /// without a delegation, most FUSE filesystems), or whose path the
    /// supervisor couldn't read from the caller.
    pub unchecked: u64,
    /// Execs of another user's file (root's `/bin/sh` for a suite run as
    /// yourself), let go at once: without CAP_LEASE the kernel refuses the
    /// lease, and only that user or root could be writing the file.
    pub not_ours: u64,
    /// Process trees given the shield whose processes still run. Read after
    /// the command exited, more than 0 means some of its processes outlive
    /// it: their execs stay shielded only while the shield's process lives
    /// (the kernel fails them with ENOSYS once its listener is closed).
    pub trees_running: u64,
    /// The budget the shield ran with.
    pub budget: Duration,
}

/// Give a command a shield: it and every process it starts, its whole
/// tree, run with their execs held while the file has a writer. For
/// [`std::process::Command`] and flakeproof's own
/// [`process::Command`](crate::process::Command).
///
/// `Unsupported` where the shield can't work, with the reason: another OS,
/// a kernel without seccomp user notification (Linux 5.5+), a sandbox
/// that refuses it, a tree that already has a seccomp listener (the error
/// names flakeproof's owner when it is one), a command that was given a
/// fault plan.
///
/// ```
/// use flakeproof::shield::{Shield, ShieldExt};
/// let shield = Shield::new();
/// let mut cmd = flakeproof::process::Command::new("true");
/// match cmd.shield(&shield) {
///     Ok(_) => assert!(cmd.status()?.success()),
///     Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::Unsupported),
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ShieldExt {
    /// See [`ShieldExt`].
    ///
    /// ```
    /// use flakeproof::shield::{Shield, ShieldExt};
    /// let mut cmd = std::process::Command::new("true");
    /// if cmd.shield(&Shield::new()).is_ok() {
    ///     assert!(cmd.status()?.success());
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn shield(&mut self, shield: &Shield) -> io::Result<&mut Self>;

    /// A fault plan and a shield on one command (one seccomp listener per
    /// tree, so they are given together): the plan decides each call
    /// first, and an exec it lets go on is held while its file has a
    /// writer. The plan's calls are watched as with
    /// [`faults`](crate::process::ChildFaultsExt::faults), and every exec.
    /// An exec the plan delays goes on after its delay without the
    /// shield's check (the delay is served on a thread of its own).
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, shield::{Shield, ShieldExt}, Op};
    /// let guard = FaultPlan::parse("create_dir=EROFS").unwrap().activate();
    /// let shield = Shield::new();
    /// let dir = tempfile::tempdir()?;
    /// let mut mkdir = std::process::Command::new("mkdir");
    /// mkdir.arg(dir.path().join("d"));
    /// if mkdir.shield_with_faults(&shield, &guard).is_ok() {
    ///     assert!(!mkdir.status()?.success()); // Read-only file system
    ///     assert_eq!(guard.injected(Op::CreateDir, "*"), 1);
    ///     assert!(shield.report().execs >= 1);
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn shield_with_faults(&mut self, shield: &Shield, plan: &FaultScope) -> io::Result<&mut Self>;
}

impl ShieldExt for std::process::Command {
    fn shield(&mut self, shield: &Shield) -> io::Result<&mut Self> {
        sys::attach_shield(self, shield.stats.clone())?;
        Ok(self)
    }

    fn shield_with_faults(&mut self, shield: &Shield, plan: &FaultScope) -> io::Result<&mut Self> {
        sys::attach_both(self, plan.shared().clone(), shield.stats.clone())?;
        Ok(self)
    }
}

impl ShieldExt for crate::process::Command {
    fn shield(&mut self, shield: &Shield) -> io::Result<&mut Self> {
        self.as_std_mut().shield(shield)?;
        Ok(self)
    }

    fn shield_with_faults(&mut self, shield: &Shield, plan: &FaultScope) -> io::Result<&mut Self> {
        self.as_std_mut().shield_with_faults(shield, plan)?;
        Ok(self)
    }
}
