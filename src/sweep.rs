//! Failure-point sweeps, SQLite's way of testing every I/O error path: run
//! a scenario once per call a rule matches, failing the first call, then
//! the second, and so on, until a run completes without reaching the
//! fault; report each point the code under test did not recover from.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::classify::Op;
use crate::fault::{Call, FaultPlan, FaultScope, Outcome, ParseError};

/// What a [`sweep`] found.
///
/// A sweep whose rule matched no call tested nothing, and says so: it is
/// [`reached_nothing`](Self::reached_nothing) and never
/// [`is_clean`](Self::is_clean). Where the kernel enforces the sweep's plans
/// (Linux: [`FaultPlan::activate_in_kernel`](crate::fault::FaultPlan::activate_in_kernel)),
/// that means the code never made the call on a thread inside the plan:
/// a thread the scenario starts counts only once it
/// [`enter`](crate::fault::FaultScope::enter)s the scope it is given, and a
/// child only with the plan attached. Where it can't
/// ([`kernel_unavailable`](Self::kernel_unavailable) says why), the usual
/// cause is code that calls `std::fs` directly, which a plan the kernel
/// doesn't enforce never reaches: route its calls through [`crate::fs`], or
/// run it in a child with the plan attached ([`crate::process::Command::faults`]).
///
/// ```
/// let sweep = flakeproof::sweep("write=delay(1ms)", |_| Ok(())).unwrap();
/// assert_eq!(sweep.points, 0); // nothing wrote
/// assert!(sweep.reached_nothing());
/// assert!(!sweep.is_clean());
/// assert!(sweep.to_string().contains("reached no call"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sweep {
    /// The rule swept, as text.
    pub rule: String,
    /// How many calls the rule matched in a run without faults: the
    /// fault points, each tried in a run of its own.
    pub points: u64,
    /// The points the scenario did not recover from, in order.
    pub failures: Vec<SweepFailure>,
    /// False if the sweep stopped at [`Sweep::LIMIT`] points with the
    /// scenario still reaching the fault.
    pub complete: bool,
    /// Why the kernel did not enforce the sweep's plans on the sweeping
    /// thread (`None`: it did, so plain `std::fs` calls were reached too):
    /// not Linux, no seccomp user notification, the thread's filter watches
    /// other calls, or [`Sweep::gate_only`] asked for it.
    pub kernel_unavailable: Option<String>,
}

impl Sweep {
    /// The most fault points a sweep tries before it stops with
    /// [`complete`](Self::complete) false: a scenario whose calls never run
    /// out.
    ///
    /// ```
    /// let s = flakeproof::sweep("create_dir=delay(1ns)", |_| Ok(())).unwrap();
    /// if !s.complete {
    ///     eprintln!("stopped after {} points", flakeproof::Sweep::LIMIT);
    /// }
    /// ```
    pub const LIMIT: u64 = 10_000;

    /// At least one point was tried, every point was recovered from, and
    /// the sweep ran to the end. A sweep that reached no call is not clean:
    /// it tested nothing.
    ///
    /// ```
    /// use flakeproof::fs;
    /// # let rule = if cfg!(windows) { "create_dir(*/cache)=ERROR_ACCESS_DENIED" } else { "create_dir(*/cache)=EIO" };
    /// let sweep = flakeproof::sweep(rule, |_| {
    ///     let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    ///     let _ = fs::create_dir(dir.path().join("cache")); // an error is handled
    ///     Ok(())
    /// }).unwrap();
    /// assert_eq!(sweep.points, 1);
    /// assert!(sweep.is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.points > 0 && self.failures.is_empty() && self.complete
    }

    /// The rule matched no call of the scenario: no fault point, nothing
    /// tested. See [`Sweep`] for the usual causes.
    ///
    /// ```
    /// // The scenario never creates a directory named `cache`.
    /// let sweep = flakeproof::sweep("create_dir(*/cache)=EIO", |_| {
    ///     let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    ///     std::fs::create_dir(dir.path().join("logs")).map_err(|e| e.to_string())
    /// }).unwrap();
    /// assert!(sweep.reached_nothing());
    /// ```
    pub fn reached_nothing(&self) -> bool {
        self.points == 0 && self.complete
    }
}

impl fmt::Display for Sweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} fault point(s), {} not recovered from",
            self.rule,
            self.points,
            self.failures.len()
        )?;
        if self.reached_nothing() {
            f.write_str(" (the rule reached no call: nothing was tested")?;
            match &self.kernel_unavailable {
                None => f.write_str(
                    "; calls on threads that did not enter the plan's scope, and in children \
                     without it attached, are not counted)",
                )?,
                Some(why) => write!(
                    f,
                    "; the kernel could not enforce the plan here ({why}), so calls to \
                     std::fs were out of reach: is the code calling std::fs instead of \
                     flakeproof::fs?)"
                )?,
            }
        }
        if !self.complete {
            write!(f, " (stopped after {} points)", Sweep::LIMIT)?;
        }
        for x in &self.failures {
            write!(f, "\n  @{}: {}", x.k, x.why)?;
            if let Some(c) = &x.call {
                write!(f, " (failed {} {}", c.op.name(), c.path.display())?;
                write!(f, " in pid {}", c.pid)?;
                f.write_str(")")?;
            }
        }
        Ok(())
    }
}

/// One fault point the scenario did not recover from.
///
/// ```
/// # let rule = if cfg!(windows) { "create_dir=ERROR_ACCESS_DENIED" } else { "create_dir=EIO" };
/// let s = flakeproof::sweep(rule, |_| {
///     flakeproof::fs::create_dir_all("/tmp").map_err(|e| e.to_string())
/// }).unwrap();
/// let _ = s.failures.first().map(|f| (f.k, &f.why));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SweepFailure {
    /// The call number (among those the rule matches) that was failed.
    pub k: u64,
    /// That call, from the run's record.
    pub call: Option<Call>,
    /// What went wrong: the scenario's `Err`, or its panic message.
    pub why: String,
}

/// Run `scenario` once per call `rule` matches, with the rule failing (or
/// delaying) that call alone: `rule@1`, `rule@2` ... until a run finishes
/// without reaching the fault. The scenario gets the run's plan, active on
/// the calling thread, to carry into threads and attach to child commands
/// ([`crate::process::Command::faults`]); it returns `Err` (or panics)
/// when the code under test did not recover: a wrong result, debris left
/// on disk. `rule` is one rule without a trigger (`rename(*/out)=EIO`).
///
/// On Linux the kernel enforces each run's plan on the calling thread
/// ([`FaultPlan::activate_in_kernel`](crate::fault::FaultPlan::activate_in_kernel)),
/// so code that calls `std::fs`, or C code, is swept with no change;
/// where it can't, the plan is the gate's alone and
/// [`Sweep::kernel_unavailable`] says why. [`Sweep::gate_only`] asks for
/// the gate alone.
///
/// The scenario must do the same calls each run, up to the fault: a sweep
/// of a scenario that varies (threads racing for the matching calls)
/// tests different points each run.
///
/// ```
/// use std::io::Write;
/// use flakeproof::fs;
///
/// // Writes `out` through a temp file, but leaves the temp file behind
/// // when a step fails: the bug the sweep finds.
/// fn save(dir: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
///     let tmp = dir.join("out.tmp");
///     let mut f = fs::File::create(&tmp)?;
///     f.write_all(data)?;
///     f.sync_all()?;
///     fs::rename(&tmp, dir.join("out"))
/// }
///
/// # let rule = if cfg!(windows) { "any(*/out*)=ERROR_ACCESS_DENIED" } else { "any(*/out*)=EIO" };
/// let sweep = flakeproof::sweep(rule, |_| {
///     let dir = tempfile::tempdir().unwrap();
///     let _ = save(dir.path(), b"data"); // an error is fine; debris is not
///     match dir.path().join("out.tmp").exists() {
///         true => Err("out.tmp left behind".into()),
///         false => Ok(()),
///     }
/// }).unwrap();
/// // create, write, sync, rename; and, where the kernel sees std's calls
/// // too, the temp dir's cleanup removing `out`: one more point.
/// let extra = u64::from(sweep.kernel_unavailable.is_none());
/// assert_eq!(sweep.points, 4 + extra);
/// let ks: Vec<u64> = sweep.failures.iter().map(|f| f.k).collect();
/// assert_eq!(ks, [2, 3, 4]); // every failure after the create leaves out.tmp
/// assert!(!sweep.is_clean());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sweep<F>(rule: &str, scenario: F) -> Result<Sweep, ParseError>
where
    F: FnMut(&FaultScope) -> Result<(), String>,
{
    run(rule, true, scenario)
}

impl Sweep {
    /// A [`sweep`] whose plans the kernel never enforces on this thread:
    /// only flakeproof's own functions, [`fault::point`](crate::fault::point)s
    /// and child commands with the plan attached consult them. For a harness
    /// that makes file calls of its own on the sweeping thread, which a
    /// kernel-enforced rule would count and fail (the `flakeproof sweep`
    /// command is one).
    ///
    /// ```
    /// let s = flakeproof::Sweep::gate_only("create_dir(*/cache)=EIO", |_| {
    ///     let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    ///     std::fs::create_dir(dir.path().join("cache")).map_err(|e| e.to_string())
    /// }).unwrap();
    /// assert!(s.reached_nothing()); // std::fs is out of its reach
    /// assert!(s.kernel_unavailable.is_some());
    /// ```
    pub fn gate_only<F>(rule: &str, scenario: F) -> Result<Sweep, ParseError>
    where
        F: FnMut(&FaultScope) -> Result<(), String>,
    {
        run(rule, false, scenario)
    }
}

fn run<F>(rule: &str, kernel: bool, mut scenario: F) -> Result<Sweep, ParseError>
where
    F: FnMut(&FaultScope) -> Result<(), String>,
{
    let plan = FaultPlan::parse(rule)?;
    let shown = plan.to_string();
    if plan.at_call(1).is_none() {
        return Err(ParseError::new(
            1,
            format!(
                "a sweep takes one rule without a trigger (it sets @1, @2 ... itself), found `{rule}`"
            ),
        ));
    }
    let mut failures = Vec::new();
    let mut kernel_unavailable = match kernel {
        true => None,
        false => Some("Sweep::gate_only asked for the gate alone".to_string()),
    };
    for k in 1..=Sweep::LIMIT {
        let plan = plan.at_call(k).expect("checked above");
        // The kernel where it can (the same rule each run, so the thread's
        // filter, installed by the first, fits every later one); the gate
        // alone where it can't, which the result says.
        let guard = match kernel_unavailable {
            Some(_) => plan.activate(),
            None => match plan.clone().activate_in_kernel() {
                Ok(g) => g,
                Err(e) => {
                    kernel_unavailable = Some(e.to_string());
                    plan.activate()
                }
            },
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| scenario(&guard)));
        // Reached: a call was failed or delayed (the record's totals are
        // exact even if its entries were capped).
        let call = guard
            .calls()
            .into_iter()
            .find(|c| c.outcome != Outcome::Passed);
        let fired = call.is_some() || Op::ALL.iter().any(|&op| guard.injected(op, "*") > 0);
        drop(guard);
        let why = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(why)) => Some(why),
            Err(panic) => Some(match panic.downcast::<String>() {
                Ok(s) => format!("panicked: {s}"),
                Err(p) => match p.downcast::<&str>() {
                    Ok(s) => format!("panicked: {s}"),
                    Err(_) => "panicked".into(),
                },
            }),
        };
        if !fired {
            // The last run: the fault was not reached. A scenario that
            // fails here fails without any fault, and says so.
            if let Some(why) = why {
                let why = format!("failed without the fault: {why}");
                failures.push(SweepFailure { k, call, why });
            }
            return Ok(Sweep {
                rule: shown,
                points: k - 1,
                failures,
                complete: true,
                kernel_unavailable,
            });
        }
        if let Some(why) = why {
            failures.push(SweepFailure { k, call, why });
        }
    }
    Ok(Sweep {
        rule: shown,
        points: Sweep::LIMIT,
        failures,
        complete: false,
        kernel_unavailable,
    })
}
