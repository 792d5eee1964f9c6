//! Fault injection: deterministic, scoped, errno-level failures for file and
//! process operations, indistinguishable from the kernel's.
//!
//! A [`FaultPlan`] is a list of rules `operation(path pattern)=action@trigger`.
//! Activate it and every OS operation flakeproof performs, and every
//! [`crate::fs`] wrapper and [`point`] in your own code, consults it first:
//! a rule that fires fails the call with an `io::Error` whose
//! `raw_os_error()` and `kind()` are what the kernel would give, without
//! making the call.
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
//! ```text
//! plan     := rule (';' rule)*
//! rule     := op ('(' glob ')')? '=' action ('@' trigger)?
//! op       := open | open_write | write | sync | rename | copy | remove_file
//!           | remove_dir | create_dir | set_permissions | lock | spawn | exec | any
//! action   := ERRNO                    fail with this error
//!           | delay(DURATION)          sleep, then make the call (a slow disk)
//!           | busy(ERRNO, DURATION)    fail until DURATION has passed since the
//!                                      rule first matched, then pass
//! trigger  := always (the default) | N (the N-th matching call) | N..M | N.. | ..M
//!           | everyN | pP/seed=S (probability P, reproducible from seed S)
//! ```
//!
//! - `glob`: `*` matches any run of characters, `/` included; `?` one
//!   character. It can't contain `)` or `;`. No pattern means any path.
//! - `ERRNO`: a name, `EBUSY`, `ETXTBSY`, `EAGAIN` ... on Unix,
//!   `ERROR_SHARING_VIOLATION`, `ERROR_ACCESS_DENIED` ... on Windows, resolved
//!   to the number of the OS it runs on; or a raw number.
//! - `DURATION`: a whole number with `ns`, `us`, `ms` or `s`.
//! - Calls are counted per rule, from 1, among the calls that rule matches
//!   (strace's `when=`). Every matching rule counts a call; delays of all
//!   firing rules add up; the first firing failure decides the error.
//! - Same plan, same seed, same sequence of calls: same faults, every run.
//!
//! Examples: `spawn(*/stub-*)=ETXTBSY@1..2` (the first two spawns of a stub
//! fail as if a sibling held it open), `rename=EBUSY@p0.1/seed=7` (one rename
//! in ten, reproducibly), `write=delay(20ms)`, `remove_dir=busy(ENOTEMPTY,50ms)`,
//! `any(*/cache/*)=EIO@every5`.
//!
//! Parse errors name the column and what was expected
//! ([`ParseError`]); `Display` gives back text that parses to the same plan.
//!
//! # Scope
//!
//! - [`FaultPlan::activate`] covers the calling thread until the guard drops.
//!   Two tests running at once in one test binary, each with its own plan, never
//!   see each other's faults. Carry a plan into threads the test spawns with
//!   [`FaultGuard::scope`] and [`FaultScope::enter`].
//! - [`FaultPlan::activate_process_wide`] covers every thread, for code under
//!   test that starts its own threads. Such a test must not run beside others
//!   (mark it `#[serial]` with `serial_test`, or give it its own test binary).
//!   A thread's own plan takes precedence over the process-wide one.
//! - **Chaos mode**: set `FLAKEPROOF_FAULTS` to a plan and it is active
//!   process-wide for the whole run, e.g.
//!   `FLAKEPROOF_FAULTS='spawn=ETXTBSY@every2' cargo test` proves that a
//!   suite's spawns survive ETXTBSY. An invalid plan there panics at the first
//!   operation, naming the column. [`process_wide`] gives its record.
//!
//! With no plan active anywhere, consulting costs one atomic load
//! (`benches/fault.rs`).

mod grammar;
mod names;
mod plan;

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, RwLock};
use std::time::Duration;

pub use grammar::ParseError;
pub(crate) use plan::Verdict;

use crate::classify::{Op, Os};
use plan::{glob_match, PlanState, Rule};

/// A fault plan: rules of (operation, path pattern, action, trigger). See the
/// [module docs](self) for the text form.
///
/// ```
/// use flakeproof::fault::FaultPlan;
/// let plan = FaultPlan::parse("spawn(*/stub-*) = ETXTBSY @ 1..2;write=delay(20ms)").unwrap();
/// assert_eq!(plan.to_string(), "spawn(*/stub-*)=ETXTBSY@1..2; write=delay(20ms)");
/// assert_eq!(plan.to_string().parse::<FaultPlan>().unwrap(), plan);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    rules: Vec<Rule>,
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
    /// use flakeproof::{fault::FaultPlan, Os};
    /// assert!(FaultPlan::parse_for(Os::Windows, "rename=ERROR_SHARING_VIOLATION").is_ok());
    /// assert!(FaultPlan::parse_for(Os::Linux, "rename=ERROR_SHARING_VIOLATION").is_err());
    /// ```
    pub fn parse_for(os: Os, text: &str) -> Result<FaultPlan, ParseError> {
        grammar::parse(text, os).map(|rules| FaultPlan { rules })
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
    pub fn activate(self) -> FaultGuard {
        let scope = FaultScope(Arc::new(Shared::new(self)));
        let entered = scope.enter();
        FaultGuard { scope, entered }
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
    pub fn activate_process_wide(self) -> io::Result<ProcessFaultGuard> {
        init_env_once();
        let mut global = write_global();
        if global.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a process-wide fault plan is already active (FLAKEPROOF_FAULTS, or another test)",
            ));
        }
        let scope = FaultScope(Arc::new(Shared::new(self)));
        *global = Some(scope.0.clone());
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        Ok(ProcessFaultGuard { scope })
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
        grammar::DisplayRules(&self.rules).fmt(f)
    }
}

/// What happened to one call that consulted a plan.
///
/// ```
/// use flakeproof::{fault::{FaultPlan, Outcome}, fs};
/// let g = FaultPlan::parse("remove_file=delay(1ms)").unwrap().activate();
/// let _ = fs::remove_file("/nonexistent");
/// assert_eq!(g.calls()[0].outcome, Outcome::Delayed(std::time::Duration::from_millis(1)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No rule fired: the call went to the OS.
    Passed,
    /// Delayed, then made.
    Delayed(Duration),
    /// Failed with this raw OS error (after `delayed`), without being made.
    Injected {
        /// The injected `raw_os_error()`.
        raw_os_error: i32,
        /// Any delay that came first.
        delayed: Duration,
    },
}

/// One call that consulted a plan, in the order they happened.
///
/// ```
/// use flakeproof::{fault::FaultPlan, fs, Op};
/// let g = FaultPlan::parse("create_dir=EEXIST").unwrap().activate();
/// let _ = fs::create_dir("/nonexistent/d");
/// let call = &g.calls()[0];
/// assert_eq!((call.op, call.injected()), (Op::CreateDir, true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The operation.
    pub op: Op,
    /// The path it touched (the destination, for rename and copy; the
    /// program, for spawn).
    pub path: PathBuf,
    /// What the plan did to it.
    pub outcome: Outcome,
}

impl Call {
    /// Did the plan fail this call?
    ///
    /// ```
    /// use flakeproof::{fault::{Call, Outcome}, Op};
    /// let c = Call { op: Op::Spawn, path: "/bin/x".into(), outcome: Outcome::Passed };
    /// assert!(!c.injected());
    /// ```
    pub fn injected(&self) -> bool {
        matches!(self.outcome, Outcome::Injected { .. })
    }
}

struct Shared {
    rules: Vec<Rule>,
    state: Mutex<(PlanState, Vec<Record>)>,
}

/// A run of identical consecutive calls: a hot loop over one path costs one
/// entry, and an unchanged path shares the previous entry's allocation. The
/// record stays lossless: [`FaultScope::calls`] expands the runs.
struct Record {
    op: Op,
    path: Arc<Path>,
    outcome: Outcome,
    times: usize,
}

impl Shared {
    fn new(plan: FaultPlan) -> Self {
        let state = PlanState::new(&plan.rules);
        Shared {
            rules: plan.rules,
            state: Mutex::new((state, Vec::new())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (PlanState, Vec<Record>)> {
        // A test that panicked mid-call must not hide the record from others.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn consult(&self, op: Op, path: &Path, now: impl Fn() -> Duration) -> Verdict {
        let text = path.to_string_lossy();
        let mut st = self.lock();
        let verdict = st.0.decide(&self.rules, op, &text, now);
        let outcome = match (verdict.fail, verdict.delay.is_zero()) {
            (Some(raw_os_error), _) => Outcome::Injected {
                raw_os_error,
                delayed: verdict.delay,
            },
            (None, false) => Outcome::Delayed(verdict.delay),
            (None, true) => Outcome::Passed,
        };
        let same_path = |r: &Record| r.path.as_os_str() == path.as_os_str();
        match st.1.last_mut() {
            Some(r) if r.op == op && r.outcome == outcome && same_path(r) => r.times += 1,
            last => {
                let path = match last {
                    Some(r) if same_path(r) => r.path.clone(),
                    _ => Arc::from(path),
                };
                st.1.push(Record {
                    op,
                    path,
                    outcome,
                    times: 1,
                });
            }
        }
        verdict
    }
}

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
pub struct FaultScope(Arc<Shared>);

impl fmt::Debug for FaultScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FaultScope({})", grammar::DisplayRules(&self.0.rules))
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
    pub fn enter(&self) -> EnteredScope {
        LOCAL.with(|l| l.borrow_mut().push(self.0.clone()));
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        EnteredScope {
            shared: self.0.clone(),
            _not_send: PhantomData,
        }
    }

    /// Every call that consulted the plan so far, in order.
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
        let st = self.0.lock();
        let mut calls = Vec::new();
        for r in &st.1 {
            let call = Call {
                op: r.op,
                path: r.path.to_path_buf(),
                outcome: r.outcome,
            };
            calls.extend(std::iter::repeat_n(call, r.times));
        }
        calls
    }

    /// How many calls of `op` on paths matching `pattern` (a glob, `*` for
    /// all) consulted the plan: attempts, injected or not.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs, Op};
    /// let g = FaultPlan::parse("").unwrap().activate();
    /// let _ = fs::remove_file("/nonexistent/stub-a");
    /// assert_eq!(g.attempts(Op::RemoveFile, "*/stub-*"), 1);
    /// assert_eq!(g.attempts(Op::Rename, "*"), 0);
    /// ```
    pub fn attempts(&self, op: Op, pattern: &str) -> usize {
        self.count(op, pattern, |_| true)
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
        self.count(op, pattern, |o| matches!(o, Outcome::Injected { .. }))
    }

    fn count(&self, op: Op, pattern: &str, pred: impl Fn(&Outcome) -> bool) -> usize {
        let st = self.0.lock();
        st.1.iter()
            .filter(|r| {
                r.op == op && pred(&r.outcome) && glob_match(pattern, &r.path.to_string_lossy())
            })
            .map(|r| r.times)
            .sum()
    }

    /// The plan, as text.
    ///
    /// ```
    /// let g = flakeproof::fault::FaultPlan::parse("sync=EIO@3").unwrap().activate();
    /// assert_eq!(g.plan(), "sync=EIO@3");
    /// ```
    pub fn plan(&self) -> String {
        grammar::DisplayRules(&self.0.rules).to_string()
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
pub struct EnteredScope {
    shared: Arc<Shared>,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for EnteredScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnteredScope")
    }
}

impl Drop for EnteredScope {
    fn drop(&mut self) {
        let _ = LOCAL.try_with(|l| {
            let mut stack = l.borrow_mut();
            // Usually the top; out-of-order drops remove the right entry.
            if let Some(i) = stack.iter().rposition(|s| Arc::ptr_eq(s, &self.shared)) {
                stack.remove(i);
            }
        });
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
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
#[derive(Debug)]
pub struct FaultGuard {
    scope: FaultScope,
    // Declared after `scope`: dropped last is irrelevant, the Arc keeps it alive.
    #[allow(dead_code)]
    entered: EnteredScope,
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
#[derive(Debug)]
pub struct ProcessFaultGuard {
    scope: FaultScope,
}

impl Deref for ProcessFaultGuard {
    type Target = FaultScope;
    fn deref(&self) -> &FaultScope {
        &self.scope
    }
}

impl Drop for ProcessFaultGuard {
    fn drop(&mut self) {
        let mut global = write_global();
        if global
            .as_ref()
            .is_some_and(|g| Arc::ptr_eq(g, &self.scope.0))
        {
            *global = None;
            ACTIVE.fetch_sub(1, Ordering::SeqCst);
        }
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
    init_env_once();
    GLOBAL
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .map(FaultScope)
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
    crate::sys::fault_point(op, path.as_ref())
}

// ---- activation state ----

/// How many activations exist (entered scopes, the process-wide plan), plus
/// one until `FLAKEPROOF_FAULTS` has been read. Zero: nothing to consult, and
/// [`any_active`] is the whole cost of a fault point.
static ACTIVE: AtomicUsize = AtomicUsize::new(1);
static ENV_READ: Once = Once::new();
static GLOBAL: RwLock<Option<Arc<Shared>>> = RwLock::new(None);

thread_local! {
    static LOCAL: RefCell<Vec<Arc<Shared>>> = const { RefCell::new(Vec::new()) };
}

fn write_global() -> std::sync::RwLockWriteGuard<'static, Option<Arc<Shared>>> {
    GLOBAL.write().unwrap_or_else(|p| p.into_inner())
}

/// Is any plan active anywhere? One relaxed atomic load.
#[inline(always)]
pub(crate) fn any_active() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// Install `FLAKEPROOF_FAULTS`, once per process.
fn init_env_once() {
    ENV_READ.call_once(|| {
        if let Some(text) = crate::sys::fault_plan_from_env() {
            let plan = FaultPlan::parse(&text)
                .unwrap_or_else(|e| panic!("FLAKEPROOF_FAULTS={text:?} is not a fault plan: {e}"));
            if !plan.rules.is_empty() {
                *write_global() = Some(Arc::new(Shared::new(plan)));
                return; // the env token becomes the global plan's count
            }
        }
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    });
}

/// The decision for one call, from the plan in force on this thread; `now`
/// is asked only if a time-based rule needs it.
pub(crate) fn consult(op: Op, path: &Path, now: impl Fn() -> Duration) -> Verdict {
    init_env_once();
    // No Arc clone: decide while the thread's stack is borrowed.
    let local = LOCAL.try_with(|l| l.borrow().last().map(|s| s.consult(op, path, &now)));
    if let Ok(Some(verdict)) = local {
        return verdict;
    }
    match &*GLOBAL.read().unwrap_or_else(|p| p.into_inner()) {
        Some(s) => s.consult(op, path, now),
        None => Verdict::default(),
    }
}
