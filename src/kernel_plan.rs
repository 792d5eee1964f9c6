//! Kernel-enforced plans on a thread of the test process: the public
//! method, here because it joins the plan (`fault`) to the OS layer
//! (`sys`), which `fault` itself must not import. The mechanism is
//! `sys/unix/notify/thread_plan.rs`; the user's guide is in `fault`'s
//! module docs ("Plans the kernel enforces").

use std::io;

use crate::fault::{FaultGuard, FaultPlan};

impl FaultPlan {
    /// Make the plan active on this thread, as [`activate`](Self::activate)
    /// does, and have the kernel enforce it on the thread's own system
    /// calls: code that never calls flakeproof (`std::fs`, a C library
    /// through FFI, any crate) meets the planned errors in the real calls,
    /// and the record shows each with its thread id
    /// ([`Call::tid`](crate::fault::Call::tid)).
    ///
    /// Linux (5.5+, x86_64 and aarch64) only: seccomp user notification,
    /// installed on this thread alone, with a supervisor thread outside it.
    /// Elsewhere, or where the process can't install a filter with a
    /// listener (a sandbox, `flakeproof shield` around the test run), it returns
    /// `Unsupported` with the reason, never a plan that silently reaches
    /// nothing.
    ///
    /// The terms, all the kernel's:
    /// - **A thread keeps its filter for life**, watching the operations of
    ///   its first kernel plan. A later kernel plan on the same thread that
    ///   names others gets `Unsupported` naming them. libtest runs each test
    ///   on a thread of its own, so each test gets a fresh one (with
    ///   `--test-threads=1` too: libtest still spawns a thread per test);
    ///   nextest runs a process per test.
    /// - After the guard drops, the thread's calls pass uncounted, at the
    ///   cost of the filter: unlisted calls cost next to nothing (the
    ///   kernel caches "allowed" for them), listed ones a round trip to
    ///   the supervisor (`docs/kernel-plans.md` has the figures).
    /// - Threads started from this thread carry the filter too: their calls
    ///   count only once they [`enter`](crate::fault::FaultScope::enter)
    ///   the plan's scope, as with any plan. A kernel plan of their own
    ///   goes through the filter they inherited (it can't be removed, nor
    ///   given a second listener). Child processes spawned from it
    ///   carry it as well and pass uncounted, unless their command has the
    ///   plan attached ([`Command::faults`](crate::process::Command::faults)):
    ///   then the same supervisor counts their whole tree into the same
    ///   record.
    /// - An unprivileged thread is set no-new-privs (a set-uid program it
    ///   execs gains no privileges), which its filter requires; it stays
    ///   set if the install then fails. A privileged one (CAP_SYS_ADMIN)
    ///   is left as it is.
    /// - Only operations with system calls to watch: a rule naming `close`
    ///   or `metadata` gets `Unsupported` (`any` skips them).
    /// - The innermost plan on a thread is the one in force: under an
    ///   ordinary plan entered above a kernel plan, the kernel passes the
    ///   thread's calls. A [`fault::point`](crate::fault::point) counts as
    ///   well as the real call after it: under a kernel plan, a point that
    ///   only stands for that call is counted twice (drop it).
    /// - A call made through flakeproof's own functions
    ///   ([`flakeproof::fs`](crate::fs)) is counted once, by them.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, Op};
    /// let dir = tempfile::tempdir()?;
    /// let (tmp, config) = (dir.path().join("config.tmp"), dir.path().join("config.toml"));
    /// let plan = FaultPlan::parse("rename(*/config.toml)=EIO").unwrap();
    /// let guard = match plan.activate_in_kernel() {
    ///     Ok(guard) => guard,
    ///     // Not Linux, or a sandbox without seccomp user notification.
    ///     Err(e) if e.kind() == std::io::ErrorKind::Unsupported => return Ok(()),
    ///     Err(e) => return Err(e),
    /// };
    /// std::fs::write(&tmp, "x = 1")?; // plain std: the plan reaches it all the same
    /// let e = std::fs::rename(&tmp, &config).unwrap_err();
    /// assert_eq!(e.raw_os_error(), Some(5)); // EIO, from the kernel
    /// assert_eq!(guard.injected(Op::Rename, "*"), 1);
    /// assert!(guard.calls()[0].tid.is_some()); // which thread made it
    /// drop(guard);
    /// std::fs::rename(&tmp, &config)?; // the plan has ended: the call passes
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// With the `tokio` feature, called inside a multi-thread tokio
    /// runtime it returns `Unsupported`: a kernel plan follows a thread,
    /// and a task there moves between workers at each `.await`. Use an
    /// ordinary plan with [`FaultScope::scoped`](crate::fault::FaultScope::scoped)
    /// there (flakeproof's functions, [`fs::tokio`](crate::fs), child
    /// plans follow the task), or a current-thread runtime, whose tasks all
    /// run on the thread that calls this.
    #[must_use = "the plan ends when the guard drops"]
    pub fn activate_in_kernel(self) -> io::Result<FaultGuard> {
        #[cfg(feature = "tokio")]
        refuse_multi_thread_runtime()?;
        self.activate_with(crate::sys::enforce_on_thread)
    }
}

/// A multi-thread tokio runtime's context is current here: its tasks move
/// between workers, and a kernel plan stays with one thread.
#[cfg(feature = "tokio")]
fn refuse_multi_thread_runtime() -> io::Result<()> {
    use ::tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a kernel plan can't follow a task on a multi-thread tokio runtime: it stays with \
             one thread's system calls, and the task moves between workers at each .await; use \
             FaultPlan::activate with FaultScope::scoped (flakeproof::fs::tokio and child plans \
             follow the task), or a current-thread runtime",
        )),
        _ => Ok(()),
    }
}
