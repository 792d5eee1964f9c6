//! Which plan is in force, where: the thread's own stack of entered scopes,
//! the process-wide plan, and chaos mode from `FLAKEPROOF_FAULTS`. The gate
//! that every step of `sys` (and every `fault::point`) passes lives here.
//!
//! No file or process calls: time and sleeps for injected delays come from
//! the plan's [`Clock`], and the environment variable is read once.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockWriteGuard};

use super::plan::{Caller, Holds, PlanState, Rule, Verdict};
use super::record::{Call, Outcome, Record};
use crate::classify::Op;
use crate::retry::clock::{Clock, SystemClock};

/// An active plan: its rules, counters and record, shared by every thread
/// that entered it.
pub(crate) struct Shared {
    pub(crate) rules: Vec<Rule>,
    /// What each operation's calls need (indexed by `Op as usize`), worked
    /// out once from the rules.
    needs: [Needs; Op::ALL.len()],
    clock: Option<Arc<dyn Clock>>,
    state: Mutex<(PlanState, Record)>,
    /// What to do when the plan's guard drops: stop the child trees it is
    /// attached to (registered by `sys`, which this layer can't call).
    /// `None` once the guard has dropped.
    on_end: Mutex<Option<Vec<EndHook>>>,
    /// Set when the kernel enforces the plan (`FaultPlan::activate_in_kernel`):
    /// what a thread entering the plan's scope must do so that the kernel's
    /// supervisor counts its calls (register its thread id, in `sys`, which
    /// this layer can't call). Unset: the plan is the gate's alone.
    kernel: OnceLock<EnterHook>,
}

/// Something to do when a plan's guard drops.
type EndHook = Box<dyn FnOnce() + Send>;

/// What a thread entering a kernel-enforced plan does; what it returns is
/// dropped when the thread leaves the plan.
pub(crate) type EnterHook = Box<dyn Fn(&Arc<Shared>) -> Entered + Send + Sync>;

/// A thread's registration with a kernel plan's supervisor, undone on drop.
pub(crate) type Entered = Box<dyn Any>;

/// A call made in a child tree a plan is attached to, as its supervisor
/// saw it: `path` resolved against the caller's directory.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by the Linux supervisor only
pub(crate) struct ChildCall<'a> {
    pub(crate) op: Op,
    pub(crate) path: &'a Path,
    /// The thread group's id (the process id), not the thread's.
    pub(crate) pid: u32,
    pub(crate) exe: &'a Path,
    /// The calling thread's id.
    pub(crate) tid: u32,
    /// A thread of this (the test) process, under a kernel plan: recorded
    /// as this process's call, with its thread id.
    pub(crate) own_thread: bool,
}

/// What deciding a call of one operation takes.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    /// No rule names the operation: the verdict is to pass, and no rule
    /// counts the call, so only the record sees it.
    Nothing,
    /// Rules apply, none with a pattern: decide without the path's text.
    Rules,
    /// A rule with a pattern applies: decide on the path's text (making it
    /// can mean a UTF-8 check or a copy: ~15 ns of a ~45 ns call).
    Text,
}

impl Shared {
    pub(crate) fn new(
        rules: Vec<Rule>,
        holds: Holds,
        clock: Option<Arc<dyn Clock>>,
        limit: usize,
    ) -> Self {
        let state = PlanState::new(&rules, holds);
        let needs = Op::ALL.map(|op| {
            let apply = rules.iter().filter(|r| r.op.is_none_or(|o| o == op));
            apply.fold(Needs::Nothing, |n, r| match r.pattern {
                Some(_) => Needs::Text,
                None if n == Needs::Nothing => Needs::Rules,
                None => n,
            })
        });
        Shared {
            rules,
            needs,
            clock,
            state: Mutex::new((state, Record::new(limit))),
            on_end: Mutex::new(Some(Vec::new())),
            kernel: OnceLock::new(),
        }
    }

    /// Make the plan kernel-enforced: each thread that enters it runs
    /// `hook`. Once per plan; false if it was set already.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by kernel plans only
    pub(crate) fn set_kernel(&self, hook: EnterHook) -> bool {
        self.kernel.set(hook).is_ok()
    }

    /// Does a rule name `op` itself (not through `any`)?
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by kernel plans only
    pub(crate) fn names(&self, op: Op) -> bool {
        self.rules.iter().any(|r| r.op == Some(op))
    }

    /// Is the kernel enforcing this plan?
    pub(crate) fn is_kernel(&self) -> bool {
        self.kernel.get().is_some()
    }

    /// Run `f` when the plan's guard drops (at once if it has).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by the Linux supervisor only
    pub(crate) fn on_end(&self, f: EndHook) {
        let mut hooks = self.on_end.lock().unwrap_or_else(|p| p.into_inner());
        match hooks.as_mut() {
            Some(h) => h.push(f),
            None => {
                drop(hooks);
                f(); // attached through a scope that outlived its guard
            }
        }
    }

    /// The guard dropped: run what was registered with [`Shared::on_end`].
    pub(crate) fn end(&self) {
        let hooks = self.on_end.lock().unwrap_or_else(|p| p.into_inner()).take();
        for f in hooks.into_iter().flatten() {
            f();
        }
    }

    /// Which operations any rule names (`any` names them all): what a
    /// child's filter has to watch.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by the Linux supervisor only
    pub(crate) fn named_ops(&self) -> Vec<Op> {
        Op::ALL
            .into_iter()
            .filter(|&op| {
                self.needs[op as usize] != Needs::Nothing
                    // A spawn rule covers the execs in a child tree too.
                    || (op == Op::Exec && self.needs[Op::Spawn as usize] != Needs::Nothing)
            })
            .collect()
    }

    /// Decide a call made in a child tree, and record it with the process
    /// that made it. The caller applies the verdict (the delay included:
    /// a plan's own clock is not slept on here, the child waits for real).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by the Linux supervisor only
    pub(crate) fn consult_child(&self, call: &ChildCall<'_>) -> Verdict {
        let mut st = self.lock();
        // A thread of this process draws as this process's own calls do.
        let caller = match call.own_thread {
            true => Caller::default(),
            false => Caller {
                process: u64::from(call.pid),
                key: key_of(call.exe),
            },
        };
        let text = call.path.to_string_lossy();
        let verdict =
            st.0.decide(&self.rules, call.op, &text, caller, || self.clock().now());
        let who = match call.own_thread {
            true => 0,
            false => st.1.child(call.pid, call.exe),
        };
        st.1.push_from(call.op, call.path, outcome_of(verdict), who, call.tid);
        verdict
    }

    fn lock(&self) -> MutexGuard<'_, (PlanState, Record)> {
        // A test that panicked mid-call must not hide the record from others.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn clock(&self) -> &dyn Clock {
        match &self.clock {
            Some(c) => &**c,
            None => &SystemClock,
        }
    }

    fn consult(&self, op: Op, path: &Path) -> Verdict {
        let needs = self.needs[op as usize];
        // A rule without a pattern never reads the path: "" stands in.
        let text = match needs {
            Needs::Text => path.to_string_lossy(),
            _ => "".into(),
        };
        let mut st = self.lock();
        // The clock is read only if a busy rule fires (a read costs ~45 ns on
        // some VMs).
        let verdict = match needs {
            Needs::Nothing => Verdict::default(),
            _ => st.0.decide(&self.rules, op, &text, Caller::default(), || {
                self.clock().now()
            }),
        };
        st.1.push(op, path, outcome_of(verdict));
        verdict
    }

    pub(crate) fn calls(&self) -> Vec<Call> {
        self.lock().1.calls(std::process::id())
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.lock().1.dropped()
    }

    pub(crate) fn count(&self, op: Op, pattern: &str) -> (usize, usize) {
        self.lock().1.count(op, pattern)
    }

    pub(crate) fn overflowed(&self) -> u64 {
        self.lock().1.overflowed()
    }
}

fn outcome_of(verdict: Verdict) -> Outcome {
    match (verdict.fail, verdict.delay.is_zero()) {
        (Some(raw_os_error), _) => Outcome::Injected {
            raw_os_error,
            delayed: verdict.delay,
        },
        (None, false) => Outcome::Delayed(verdict.delay),
        (None, true) => Outcome::Passed,
    }
}

/// A child's key for probability draws under `per=process`: a hash of its
/// executable (FNV-1a), the same on every run, where its pid is not.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by the Linux supervisor only
fn key_of(exe: &Path) -> u64 {
    exe.as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
        | 1
}

/// How many activations exist (entered scopes, the process-wide plan), plus
/// one until `FLAKEPROOF_FAULTS` has been read (when the `chaos` feature can
/// read it). Zero: nothing to consult, and [`gate`] costs one atomic load.
static ACTIVE: AtomicUsize = AtomicUsize::new(if cfg!(feature = "chaos") { 1 } else { 0 });
static GLOBAL: RwLock<Option<Arc<Shared>>> = RwLock::new(None);
/// `None`: no env plan (or none valid yet); `Some(msg)`: the variable held
/// an invalid plan, and every gated call reports `msg`.
static ENV: OnceLock<Option<String>> = OnceLock::new();

thread_local! {
    static LOCAL: RefCell<Vec<Arc<Shared>>> = const { RefCell::new(Vec::new()) };
}

fn write_global() -> RwLockWriteGuard<'static, Option<Arc<Shared>>> {
    GLOBAL.write().unwrap_or_else(|p| p.into_inner())
}

/// The name of the chaos-mode variable.
#[cfg(feature = "chaos")]
const ENV_VAR: &str = "FLAKEPROOF_FAULTS";

/// Read `FLAKEPROOF_FAULTS` once per process (with the `chaos` feature), and
/// return the error an invalid plan there stands for.
fn env_error() -> Option<io::Error> {
    ENV.get_or_init(read_env)
        .as_ref()
        .map(|msg| io::Error::new(io::ErrorKind::InvalidInput, msg.clone()))
}

#[cfg(feature = "chaos")]
fn read_env() -> Option<String> {
    let text = std::env::var(ENV_VAR).ok().filter(|s| !s.trim().is_empty());
    let parsed = text
        .as_deref()
        .map(|t| super::parse::parse(t, crate::os::Os::CURRENT));
    match parsed {
        Some(Err(e)) => {
            // The env token stays: every gated call now reports this.
            return Some(format!(
                "{ENV_VAR}={:?} is not a fault plan: {e}",
                text.unwrap_or_default()
            ));
        }
        Some(Ok(rules)) if !rules.is_empty() => {
            let shared = Shared::new(rules, Holds::default(), None, super::record::DEFAULT_LIMIT);
            *write_global() = Some(Arc::new(shared));
            // The env token becomes the global plan's count.
        }
        _ => {
            ACTIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
    None
}

#[cfg(not(feature = "chaos"))]
fn read_env() -> Option<String> {
    None
}

/// Is any plan active anywhere? One relaxed atomic load.
#[inline(always)]
pub(crate) fn any_active() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// Every fallible OS call passes here first. With no plan active anywhere
/// this is one atomic load; otherwise the plan in force decides whether the
/// call is delayed, failed with an injected error (and not made), or made.
///
/// Keep the returned [`Gated`] until the OS call is made: on a thread under
/// a kernel-enforced plan it tells the kernel's supervisor that the gate
/// has counted this call already.
#[inline(always)]
pub(crate) fn gate(op: Op, path: &Path) -> io::Result<Gated> {
    if any_active() {
        inject(op, path)?;
        Ok(Gated::mark())
    } else {
        Ok(Gated(false))
    }
}

/// A call the gate has counted, until it drops: on a thread under a
/// kernel-enforced plan, the kernel's supervisor lets the thread's system
/// calls pass uncounted meanwhile, so that `flakeproof::fs::rename` counts
/// once, not once by the gate and again by the kernel.
#[must_use = "keep it until the OS call is made"]
pub(crate) struct Gated(bool);

impl Gated {
    fn mark() -> Gated {
        let kernel = KERNEL.try_with(Cell::get).unwrap_or(0) > 0;
        if kernel {
            let _ = MARK.try_with(|m| m.fetch_add(1, Ordering::SeqCst));
        }
        Gated(kernel)
    }
}

impl Drop for Gated {
    fn drop(&mut self) {
        if self.0 {
            let _ = MARK.try_with(|m| m.fetch_sub(1, Ordering::SeqCst));
        }
    }
}

thread_local! {
    /// How deep this thread is in [`exempt`] calls.
    static EXEMPT: Cell<u32> = const { Cell::new(0) };
    /// How many kernel-enforced plans this thread has entered.
    static KERNEL: Cell<u32> = const { Cell::new(0) };
    /// Above zero while the gate has counted the thread's current call or
    /// the thread is exempt: shared with the kernel's supervisor, which
    /// reads it when the thread's system call is handed over (the thread is
    /// blocked in that call then, so the value can't change under it).
    static MARK: Arc<AtomicU32> = Arc::new(AtomicU32::new(0));
}

/// This thread's mark (see [`MARK`]), for the kernel's supervisor.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by kernel plans only
pub(crate) fn thread_mark() -> Arc<AtomicU32> {
    MARK.with(Arc::clone)
}

/// Runs `f` with every plan out of reach of this thread's calls: they are
/// neither failed, delayed nor recorded, by flakeproof's functions or by the
/// kernel (a plan from
/// [`activate_in_kernel`](crate::fault::FaultPlan::activate_in_kernel)).
/// For the test's own setup and checks, which a plan aims past:
/// `create_dir=EIO` is meant for the code under test, not for the temp
/// directory the test makes first; and for the crate's own machinery (a
/// fake directory's bookkeeping). Costs nothing unless a plan is active.
///
/// ```
/// use flakeproof::{fault::{self, FaultPlan}, fs, Op};
/// let dir = tempfile::tempdir()?;
/// let g = FaultPlan::parse("create_dir=EIO").unwrap().activate();
/// fault::exempt(|| fs::create_dir(dir.path().join("setup")))?; // the test's own
/// assert!(fs::create_dir(dir.path().join("code")).is_err()); // the code under test's
/// assert_eq!(g.attempts(Op::CreateDir, "*"), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn exempt<R>(f: impl FnOnce() -> R) -> R {
    // try_with: a FakeDir dropped while thread-locals are torn down must
    // not panic here (there is no plan to keep away then anyway).
    struct Leave {
        _gated: Gated,
    }
    impl Drop for Leave {
        fn drop(&mut self) {
            let _ = EXEMPT.try_with(|e| e.set(e.get().saturating_sub(1)));
        }
    }
    let _ = EXEMPT.try_with(|e| e.set(e.get() + 1));
    // The kernel's supervisor must pass these calls too.
    let _leave = Leave {
        _gated: Gated::mark(),
    };
    f()
}

fn exempted() -> bool {
    EXEMPT.try_with(|e| e.get() > 0).unwrap_or(false)
}

#[cold]
#[inline(never)]
fn inject(op: Op, path: &Path) -> io::Result<()> {
    if exempted() {
        return Ok(());
    }
    if let Some(e) = env_error() {
        return Err(e);
    }
    let apply = |s: &Shared| {
        let verdict = s.consult(op, path);
        if !verdict.delay.is_zero() {
            s.clock().sleep(verdict.delay);
        }
        match verdict.fail {
            // from_raw_os_error: the same raw code and kind() the kernel's would have.
            Some(raw) => Err(io::Error::from_raw_os_error(raw)),
            None => Ok(()),
        }
    };
    // No Arc clone on the thread's own plan: decide while its stack is borrowed.
    let local = LOCAL.try_with(|l| l.borrow().last().map(|s| apply(s)));
    if let Ok(Some(result)) = local {
        return result;
    }
    let global = GLOBAL.read().unwrap_or_else(|p| p.into_inner()).clone();
    match global {
        Some(s) => apply(&s),
        None => Ok(()),
    }
}

/// The plan's decision for a call that will be made where the plan can't be
/// consulted (the child writer, between clone and exit): recorded like any
/// other call, but the error, and a delay on the system clock, are the
/// caller's to apply there. A delay on a plan's own clock is slept here, on
/// that clock, so that a `ManualClock` plan never really waits.
pub(crate) fn decide(op: Op, path: &Path) -> io::Result<Verdict> {
    if !any_active() || exempted() {
        return Ok(Verdict::default());
    }
    if let Some(e) = env_error() {
        return Err(e);
    }
    let apply = |s: &Shared| {
        let mut verdict = s.consult(op, path);
        if let (Some(clock), false) = (&s.clock, verdict.delay.is_zero()) {
            clock.sleep(verdict.delay);
            verdict.delay = std::time::Duration::ZERO;
        }
        verdict
    };
    let local = LOCAL.try_with(|l| l.borrow().last().map(|s| apply(s)));
    if let Ok(Some(verdict)) = local {
        return Ok(verdict);
    }
    let global = GLOBAL.read().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(global.map_or_else(Verdict::default, |s| apply(&s)))
}

/// The plan this thread entered last, if any: what async code carries into
/// the blocking pool's threads with the work it hands them.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))] // used by the async forms only
pub(crate) fn thread_plan() -> Option<Arc<Shared>> {
    LOCAL
        .try_with(|l| l.borrow().last().cloned())
        .ok()
        .flatten()
}

/// Which plan a call from this thread consults now (its address, as an
/// id; 0 for none): a spawn through the gate tells its child which plan
/// counted it, so a child under that same plan doesn't count it again.
pub(crate) fn plan_in_force() -> usize {
    if !any_active() || exempted() {
        return 0;
    }
    let local = LOCAL.try_with(|l| l.borrow().last().map(|s| Arc::as_ptr(s) as usize));
    if let Ok(Some(id)) = local {
        return id;
    }
    let global = GLOBAL.read().unwrap_or_else(|p| p.into_inner());
    global.as_ref().map_or(0, |s| Arc::as_ptr(s) as usize)
}

/// Make `shared` the thread's plan until [`leave`]. For a kernel-enforced
/// plan, the thread's registration with its supervisor: keep it until then.
pub(crate) fn enter(shared: &Arc<Shared>) -> Option<Entered> {
    LOCAL.with(|l| l.borrow_mut().push(shared.clone()));
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    match shared.kernel.get() {
        Some(hook) => {
            KERNEL.with(|k| k.set(k.get() + 1));
            Some(hook(shared))
        }
        // An ordinary plan entered above a kernel plan is the one in force
        // here: the kernel passes this thread's calls until it leaves, as
        // the gate no longer consults the kernel plan below it.
        None if KERNEL.with(Cell::get) > 0 => Some(Box::new(Gated::mark())),
        None => None,
    }
}

pub(crate) fn leave(shared: &Arc<Shared>) {
    if shared.is_kernel() {
        let _ = KERNEL.try_with(|k| k.set(k.get().saturating_sub(1)));
    }
    let _ = LOCAL.try_with(|l| {
        let mut stack = l.borrow_mut();
        // Usually the top; out-of-order drops remove the right entry.
        if let Some(i) = stack.iter().rposition(|s| Arc::ptr_eq(s, shared)) {
            stack.remove(i);
        }
    });
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
}

/// Install `shared` as the process-wide plan, unless one is there (or the
/// environment's plan is invalid).
pub(crate) fn set_global(shared: &Arc<Shared>) -> io::Result<()> {
    if let Some(e) = env_error() {
        return Err(e);
    }
    let mut global = write_global();
    if global.is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a process-wide fault plan is already active (FLAKEPROOF_FAULTS, or another test)",
        ));
    }
    *global = Some(shared.clone());
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

pub(crate) fn clear_global(shared: &Arc<Shared>) {
    let mut global = write_global();
    if global.as_ref().is_some_and(|g| Arc::ptr_eq(g, shared)) {
        *global = None;
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The process-wide plan in force, if any.
pub(crate) fn global() -> Option<Arc<Shared>> {
    let _ = env_error();
    GLOBAL.read().unwrap_or_else(|p| p.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::Os;

    #[test]
    fn each_operation_needs_only_what_its_rules_read() {
        let rules =
            super::super::parse::parse("rename(*/x)=EIO; any=delay(1ms)@9; spawn=EBUSY", Os::Linux)
                .unwrap();
        let s = Shared::new(rules, Holds::default(), None, 10);
        assert!(s.needs[Op::Rename as usize] == Needs::Text);
        assert!(s.needs[Op::Spawn as usize] == Needs::Rules);
        assert!(s.needs[Op::Write as usize] == Needs::Rules); // `any`
        let s = Shared::new(Vec::new(), Holds::default(), None, 10);
        assert!(
            Op::ALL
                .iter()
                .all(|&op| s.needs[op as usize] == Needs::Nothing)
        );
        // A rule without a pattern still counts the call, with or without the text.
        let rules = super::super::parse::parse("write=EIO@2", Os::Linux).unwrap();
        let s = Shared::new(rules, Holds::default(), None, 10);
        let fails = |s: &Shared| s.consult(Op::Write, Path::new("/p")).fail.is_some();
        assert_eq!([fails(&s), fails(&s), fails(&s)], [false, true, false]);
    }
}
