//! The handles on an active plan: [`FaultScope`] (carry it into threads and
//! child commands, read its record), the guards that end it when dropped,
//! and [`EnteredScope`], which makes it active on one more thread.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::activation::{self, Shared};
use super::display::DisplayRules;
use super::record::Call;
use crate::classify::Op;

/// A handle on an active plan: carry it into other threads, read its record.
/// `Clone`, `Send` and `Sync`.
///
/// ```
/// use flakeproof::{fault::FaultPlan, fs, Op};
/// let dir = tempfile::tempdir()?;
/// let guard = FaultPlan::parse("create_dir=EEXIST@1").unwrap().activate();
/// let scope = guard.scope();
/// let path = dir.path().join("d");
/// let worker = std::thread::spawn(move || {
///     let _in = scope.enter(); // this thread now shares the plan and its counters
///     fs::create_dir(path)
/// });
/// assert!(worker.join().unwrap().is_err());
/// assert_eq!(guard.injected(Op::CreateDir, "*"), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct FaultScope(pub(super) Arc<Shared>);

impl fmt::Debug for FaultScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FaultScope({})", DisplayRules(&self.0.rules))
    }
}

impl FaultScope {
    /// Make the plan active on this thread too, until the returned guard drops.
    ///
    /// ```
    /// let g = flakeproof::fault::FaultPlan::parse("").unwrap().activate();
    /// let scope = g.scope();
    /// std::thread::spawn(move || {
    ///     let _entered = scope.enter();
    ///     // flakeproof operations here consult the plan
    /// }).join().unwrap();
    /// ```
    #[must_use = "the plan leaves this thread when the guard drops"]
    pub fn enter(&self) -> EnteredScope {
        let kernel = activation::enter(&self.0);
        EnteredScope {
            shared: self.0.clone(),
            _kernel: kernel,
            _not_send: PhantomData,
        }
    }

    /// `future`, with the plan entered around each of its polls, on
    /// whichever thread polls it: the way to keep a plan over async code,
    /// whose task an executor moves between worker threads at each
    /// `.await` (a plan entered on one thread would stop applying at the
    /// first resume on another). Two tasks with different plans on one
    /// multi-thread runtime never see each other's faults. Work the future
    /// hands to other threads (`spawn_blocking`) enters the scope there
    /// itself: `let s = FaultScope::current(); spawn_blocking(move || { let
    /// _in = s.as_ref().map(FaultScope::enter); .. })` (flakeproof's own
    /// async forms do this).
    ///
    /// The gate (flakeproof's functions, [`point`](crate::fault::point)s)
    /// and child plans follow the task. A plan the kernel enforces on a
    /// thread ([`FaultPlan::activate_in_kernel`](crate::fault::FaultPlan::activate_in_kernel))
    /// stays with that thread's system calls: on a worker it reaches only
    /// what the gate reaches.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs, Op};
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     use std::task::{Context, Poll, Waker};
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop {
    /// #         if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
    /// #             return v;
    /// #         }
    /// #     }
    /// # }
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("cache");
    /// let guard = FaultPlan::parse("create_dir=ENOSPC").unwrap().activate();
    /// let task = guard.scoped(async move { fs::create_dir(path) });
    /// // On another thread, as an executor's worker would poll it:
    /// let made = std::thread::spawn(move || block_on(task)).join().unwrap();
    /// assert!(made.is_err());
    /// assert_eq!(guard.injected(Op::CreateDir, "*"), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn scoped<F: Future>(&self, future: F) -> Scoped<F> {
        Scoped {
            scope: self.clone(),
            future: Box::pin(future),
        }
    }

    /// The calls that consulted the plan so far, in order (those in the
    /// newest [`record_limit`](crate::fault::FaultPlan::record_limit) entries).
    ///
    /// ```
    /// use flakeproof::{fault::{FaultPlan, Outcome}, fs, Op};
    /// let g = FaultPlan::parse("remove_file=ENOENT@2").unwrap().activate();
    /// let _ = fs::remove_file("/nonexistent/a");
    /// let _ = fs::remove_file("/nonexistent/b");
    /// let calls = g.calls();
    /// assert_eq!(calls.len(), 2);
    /// assert_eq!(calls[0].outcome, Outcome::Passed); // passed to the OS (which failed it)
    /// assert!(calls[1].injected());
    /// assert_eq!(calls[1].path, std::path::Path::new("/nonexistent/b"));
    /// ```
    pub fn calls(&self) -> Vec<Call> {
        self.0.calls()
    }

    /// How many calls left the record because of its limit.
    ///
    /// ```
    /// let g = flakeproof::fault::FaultPlan::parse("").unwrap().activate();
    /// assert_eq!(g.calls_dropped(), 0);
    /// ```
    pub fn calls_dropped(&self) -> u64 {
        self.0.dropped()
    }

    /// True while [`attempts`](Self::attempts) and
    /// [`injected`](Self::injected) are exact for every pattern. They are
    /// always exact for `*`; a narrower pattern can come out low once more
    /// than the record limit's worth of distinct paths have left the record.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs, Op};
    /// let g = FaultPlan::parse("").unwrap().record_limit(1).activate();
    /// for i in 0..5 { let _ = fs::remove_file(format!("/nonexistent/{i}")); }
    /// assert!(!g.counts_are_exact());
    /// assert_eq!(g.attempts(Op::RemoveFile, "*"), 5); // exact all the same
    /// ```
    pub fn counts_are_exact(&self) -> bool {
        self.0.overflowed() == 0
    }

    /// How many calls of `op` on paths matching `pattern` (a glob, `*` for
    /// all) consulted the plan: attempts, injected or not. Exact for `*`, and
    /// for any pattern while [`counts_are_exact`](Self::counts_are_exact).
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs, Op};
    /// let g = FaultPlan::parse("").unwrap().activate();
    /// let _ = fs::remove_file("/nonexistent/stub-a");
    /// assert_eq!(g.attempts(Op::RemoveFile, "*/stub-*"), 1);
    /// assert_eq!(g.attempts(Op::Rename, "*"), 0);
    /// ```
    pub fn attempts(&self, op: Op, pattern: &str) -> usize {
        self.counts(op, pattern).0
    }

    /// `spawn` counts every start of a program: this process's spawns and
    /// the execs in its child trees, as a `spawn` rule matches both.
    fn counts(&self, op: Op, pattern: &str) -> (usize, usize) {
        let (a, i) = self.0.count(op, pattern);
        if op != Op::Spawn {
            return (a, i);
        }
        let (ea, ei) = self.0.count(Op::Exec, pattern);
        (a + ea, i + ei)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.0
    }

    /// The plan in force on this thread (the one it entered last), as a
    /// scope to carry into work it hands to other threads: a closure for
    /// tokio's `spawn_blocking`, rayon or a thread pool runs on a thread
    /// that never entered the plan. Inside a [`scoped`](Self::scoped)
    /// future it is that future's plan, on whichever worker polls it.
    /// `None` when no plan is in force here.
    ///
    /// ```
    /// use flakeproof::{fault::{FaultPlan, FaultScope}, fs};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("d");
    /// let guard = FaultPlan::parse("create_dir=ENOSPC").unwrap().activate();
    /// let scope = FaultScope::current();
    /// let made = std::thread::spawn(move || {
    ///     let _in = scope.as_ref().map(FaultScope::enter);
    ///     fs::create_dir(path)
    /// });
    /// assert!(made.join().unwrap().is_err());
    /// # drop(guard);
    /// assert!(FaultScope::current().is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn current() -> Option<FaultScope> {
        activation::thread_plan().map(FaultScope)
    }

    /// How many calls of `op` on paths matching `pattern` the plan failed.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs, Op};
    /// let g = FaultPlan::parse("remove_file=EBUSY").unwrap().activate();
    /// let _ = fs::remove_file("/nonexistent/x");
    /// assert_eq!(g.injected(Op::RemoveFile, "*"), 1);
    /// ```
    pub fn injected(&self, op: Op, pattern: &str) -> usize {
        self.counts(op, pattern).1
    }

    /// The plan, as text.
    ///
    /// ```
    /// let g = flakeproof::fault::FaultPlan::parse("sync=EIO@3").unwrap().activate();
    /// assert_eq!(g.plan(), "sync=EIO@3");
    /// ```
    pub fn plan(&self) -> String {
        DisplayRules(&self.0.rules).to_string()
    }
}

/// A future that runs inside a plan's scope, whichever thread polls it:
/// see [`FaultScope::scoped`]. `Send` when the future is.
///
/// ```
/// let g = flakeproof::fault::FaultPlan::parse("").unwrap().activate();
/// let task: flakeproof::fault::Scoped<_> = g.scoped(async { 1 + 1 });
/// # drop(task);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Scoped<F> {
    scope: FaultScope,
    // Boxed: pinning it in place would take `unsafe` (a pin projection),
    // which only the OS layer may use.
    future: Pin<Box<F>>,
}

impl<F> fmt::Debug for Scoped<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scoped({:?})", self.scope)
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        // Entered for this poll alone, on this thread: the next poll may
        // come from another worker.
        let _entered = this.scope.enter();
        this.future.as_mut().poll(cx)
    }
}

/// The plan is active on this thread until this drops. Not `Send`: it belongs
/// to the thread that entered.
///
/// ```
/// # use flakeproof::fault::FaultPlan;
/// let g = FaultPlan::parse("").unwrap().activate();
/// let scope = g.scope();
/// std::thread::spawn(move || { let _entered = scope.enter(); }).join().unwrap();
/// ```
#[must_use = "the plan leaves this thread when the guard drops"]
pub struct EnteredScope {
    shared: Arc<Shared>,
    /// Under a kernel-enforced plan: this thread's registration with the
    /// kernel's supervisor, undone when this drops.
    _kernel: Option<activation::Entered>,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for EnteredScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnteredScope")
    }
}

impl Drop for EnteredScope {
    fn drop(&mut self) {
        activation::leave(&self.shared);
    }
}

/// A plan active on this thread (and threads that entered its
/// [`scope`](Self::scope)) until dropped. Derefs to [`FaultScope`] for the record.
///
/// ```
/// use flakeproof::{fault::FaultPlan, Op};
/// let guard = FaultPlan::parse("spawn=ETXTBSY@1").unwrap().activate();
/// assert_eq!(guard.attempts(Op::Spawn, "*"), 0);
/// ```
#[must_use = "the plan ends when the guard drops"]
#[derive(Debug)]
pub struct FaultGuard {
    pub(super) scope: FaultScope,
    // Held for its Drop: leaves the thread's stack.
    #[allow(dead_code)]
    pub(super) entered: EnteredScope,
}

impl FaultGuard {
    /// A handle to carry the plan into threads this test spawns.
    ///
    /// ```
    /// let g = flakeproof::fault::FaultPlan::parse("").unwrap().activate();
    /// let s = g.scope();
    /// std::thread::spawn(move || drop(s.enter())).join().unwrap();
    /// ```
    pub fn scope(&self) -> FaultScope {
        self.scope.clone()
    }
}

impl Drop for FaultGuard {
    fn drop(&mut self) {
        // Stop the child trees the plan is attached to: a stuck child must
        // not outlive its test. Exempt: the walk through /proc that finds
        // them must not meet the plan it ends (a kernel plan on this
        // thread would count, and could fail, its opens).
        activation::exempt(|| self.scope.0.end());
    }
}

impl Deref for FaultGuard {
    type Target = FaultScope;
    fn deref(&self) -> &FaultScope {
        &self.scope
    }
}

/// A plan active on every thread until dropped. Derefs to [`FaultScope`].
///
/// ```
/// use flakeproof::fault::FaultPlan;
/// let g = FaultPlan::parse("").unwrap().activate_process_wide()?;
/// drop(g); // ends the plan everywhere
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "the plan ends when the guard drops"]
#[derive(Debug)]
pub struct ProcessFaultGuard {
    pub(super) scope: FaultScope,
}

impl Deref for ProcessFaultGuard {
    type Target = FaultScope;
    fn deref(&self) -> &FaultScope {
        &self.scope
    }
}

impl Drop for ProcessFaultGuard {
    fn drop(&mut self) {
        activation::clear_global(&self.scope.0);
        activation::exempt(|| self.scope.0.end());
    }
}
