//! Kernel-enforced plans on a thread of this process: the thread installs
//! a filter of its own (no `TSYNC`: the process's other threads stay
//! unfiltered), and a supervisor thread started just before it, so not
//! under it, answers the calls. Unmodified code on the thread (`std::fs`,
//! a C library) then meets the plan in the real system calls.
//!
//! A filter can't be removed, and its list of calls is fixed when it is
//! installed (`../shared/RACES.md` §6), so a thread keeps its filter for
//! life, with the operations of its first kernel plan. Who counts:
//! - a thread of this process inside a kernel plan's scope (its thread id
//!   registered in [`ENTERED`] when it entered) counts under that plan,
//!   unless the gate counted the call already (its mark, `Gated`);
//! - every other thread that carries the filter (started from the thread)
//!   passes uncounted;
//! - a child process passes uncounted, unless it belongs to a command this
//!   thread attached a plan to (`faults(&guard)`): that child installs no
//!   filter (the kernel would refuse a second listener in the chain with
//!   EBUSY), it sends its pid to the supervisor instead, and its tree's
//!   calls count under the attached plan.
//!
//! Nothing the supervisor does needs a lock that a thread can hold while
//! it is stopped in a handed-over call: [`ENTERED`] and the attached plans'
//! map are taken for a push or a lookup with no system call inside, and the
//! plan's own lock is never held across one (see `fault::activation`).

use std::cell::RefCell;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use super::entered::{
    Attached, AttachedPlans, FilterInfo, PROBE, PROBE_ANSWER, gettid, register, take_carrier,
};
use super::filter;
use super::handoff::{self, Handoff};
use super::seccomp::{OWNER_ENV, SPAWN_COUNTED, Unavailable, errno, install, support};
use super::thread_supervisor::ThreadSupervisor;
use super::tree_kill::Control;
use crate::classify::Op;
use crate::fault::Shared;

/// What a kernel plan needs here that it lacks.
const WHAT: &str = "a kernel plan can't reach this thread's system calls";

/// How many threads of this process have installed a filter: tells an
/// EBUSY from an inherited filter apart from another supervisor's.
static FILTERED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The kernel plan's filter this thread carries, once known: set when
    /// it installs one, or when the probe finds one it inherited.
    static FILTER: RefCell<Option<Arc<FilterInfo>>> = const { RefCell::new(None) };
}

/// The kernel plan's filter this thread carries, if any: its own, or one
/// inherited from the thread that started it (found by the probe, see
/// [`PROBE`]), so that such a thread uses its filter's listener as the
/// installing thread does instead of meeting the kernel's EBUSY.
fn filter_here() -> Option<Arc<FilterInfo>> {
    if let Some(f) = FILTER.with(|f| f.borrow().clone()) {
        return Some(f);
    }
    if FILTERED.load(Ordering::SeqCst) == 0 {
        return None; // no thread here has installed one: nothing to inherit
    }
    // SAFETY: execve with a null path runs nothing: the kernel fails it
    // with EFAULT, or a kernel plan's supervisor answers the probe.
    let r = unsafe { libc::syscall(libc::SYS_execve, 0usize, PROBE, 0usize) };
    if r != -1 || errno() != PROBE_ANSWER {
        return None;
    }
    let info = take_carrier(gettid())?;
    FILTER.with(|f| *f.borrow_mut() = Some(info.clone()));
    Some(info)
}

/// The calls a plan needs watched: its operations, and execs (which tell
/// the supervisor what each child runs, and when a spawn is done).
fn ops_of(plan: &Shared) -> Vec<Op> {
    let mut ops = plan.named_ops();
    if !ops.contains(&Op::Exec) {
        ops.push(Op::Exec);
    }
    ops
}

/// The operations in `need` that the thread's filter doesn't watch, as
/// an `Unsupported` error; `Ok` if it watches them all.
fn covered(have: &[Op], need: &[Op], what: &str) -> io::Result<()> {
    let missing: Vec<&str> = need
        .iter()
        .filter(|op| !have.contains(op))
        .map(|op| op.name())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let have: Vec<&str> = have.iter().map(|op| op.name()).collect();
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{what}: it names {} but this thread's seccomp filter, installed by its first \
             kernel plan, watches only {}; a thread's filter is fixed for its life (run the \
             test on a thread of its own: libtest gives each test one)",
            missing.join(", "),
            have.join(", ")
        ),
    ))
}

/// Have the kernel enforce `plan` on the calling thread from now on: the
/// thread's filter if it has none (a supervisor thread, then the filter),
/// and the hook that registers each thread entering the plan's scope.
pub(crate) fn enforce(plan: &Arc<Shared>) -> io::Result<()> {
    // No system call stands for these in the filter (every program's
    // loader makes dozens): a rule on them would reach nothing, silently.
    let unwatched: Vec<&str> = [Op::Close, Op::Metadata]
        .into_iter()
        .filter(|&op| plan.names(op))
        .map(Op::name)
        .collect();
    if !unwatched.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "{WHAT}: the kernel can't enforce a rule on {} (no system call is watched for \
                 it; `any` rules skip it); flakeproof::fs and fault::point reach it through \
                 an ordinary plan (FaultPlan::activate)",
                unwatched.join(", ")
            ),
        ));
    }
    let ops = ops_of(plan);
    match filter_here() {
        Some(f) => covered(&f.ops, &ops, WHAT)?,
        None => install_here(ops)?,
    }
    plan.set_kernel(Box::new(register));
    Ok(())
}

/// Install the calling thread's filter on `ops`, and its supervisor.
fn install_here(ops: Vec<Op>) -> io::Result<()> {
    let flags = support(WHAT)?;
    let program = filter::program(&ops);
    let (ours, theirs) = handoff::seqpacket_pair()?;
    let info = Arc::new(FilterInfo {
        ops,
        sock: theirs,
        attached: AttachedPlans::default(),
    });
    // The supervisor starts before the filter exists: a thread inherits
    // its creator's filters, and a supervisor under its own filter would
    // wait on itself at its first watched call.
    let (tx, rx) = std::sync::mpsc::channel::<OwnedFd>();
    let for_supervisor = info.clone();
    std::thread::Builder::new()
        .name("flakeproof-kernel-plan".into())
        .spawn(move || {
            if let Ok(listener) = rx.recv() {
                ThreadSupervisor::new(listener, ours, for_supervisor).run();
            }
        })?;
    // First without no-new-privs, which can't be undone: a privileged
    // thread (CAP_SYS_ADMIN) needs none, and a failed install (EBUSY under
    // another supervisor) then leaves the thread as it was. An
    // unprivileged thread gets EACCES and sets it: what the kernel asks
    // before it lets such a thread filter itself (a set-uid program it
    // execs then gains no privileges).
    let step = "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)";
    let listener = match install(&program, flags) {
        Ok(l) => l,
        Err(libc::EACCES) => {
            // SAFETY: prctl with integer arguments, on this thread.
            if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
                return Err(unavailable("prctl(PR_SET_NO_NEW_PRIVS)", errno()));
            }
            install(&program, flags).map_err(|code| unavailable(step, code))?
        }
        Err(code) => return Err(unavailable(step, code)),
    };
    FILTERED.fetch_add(1, Ordering::SeqCst);
    FILTERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Arc::downgrade(&info));
    // The receiver is alive: the supervisor thread waits on it.
    let _ = tx.send(listener);
    FILTER.with(|f| *f.borrow_mut() = Some(info));
    Ok(())
}

/// A failed step, named; an EBUSY says whose listener was there first.
fn unavailable(step: &'static str, code: i32) -> io::Error {
    let owner = std::env::var(OWNER_ENV).ok().or_else(|| {
        (code == libc::EBUSY && FILTERED.load(Ordering::SeqCst) > 0).then(|| {
            format!(
                "thread-plan {} (this thread was started by a thread under a kernel plan and \
                 inherited its filter: enter that plan's scope with FaultScope::enter instead)",
                std::process::id()
            )
        })
    });
    io::Error::new(
        io::ErrorKind::Unsupported,
        Unavailable {
            what: WHAT,
            step,
            os: io::Error::from_raw_os_error(code),
            owner,
        },
    )
}

/// Does this thread carry a kernel plan's filter (installed or inherited)?
pub(super) fn filtered_here() -> bool {
    filter_here().is_some()
}

/// What a command's spawn hook needs where threads of this process carry
/// kernel plans' filters: the child may be forked from any thread, with
/// any of them or none, and only the child can tell which (by the probe,
/// [`PROBE`], naming each candidate filter in turn). Carrying one, it
/// installs no filter (the kernel would refuse it a second listener) and
/// announces itself to that filter's supervisor instead; carrying none, it
/// installs its own, as every child plan does.
pub(super) struct Announce {
    /// The filters whose operations cover the plan's, the attaching
    /// thread's first: (id, filter).
    candidates: Vec<(u64, Arc<FilterInfo>)>,
    plan: u64,
}

/// Every kernel plan's filter in this process (its supervisor holds it
/// while any task carries it).
static FILTERS: Mutex<Vec<Weak<FilterInfo>>> = Mutex::new(Vec::new());

/// Prepare `plan`'s announcement for a command's children; `None` where no
/// thread of this process has a kernel plan's filter. `Unsupported` if the
/// calling thread carries one that doesn't watch the plan's operations.
pub(super) fn announce_hook(
    plan: &Arc<Shared>,
    what: &'static str,
) -> io::Result<Option<Announce>> {
    if FILTERED.load(Ordering::SeqCst) == 0 {
        return Ok(None);
    }
    let ops = ops_of(plan);
    let mine = filter_here();
    if let Some(f) = &mine {
        covered(&f.ops, &ops, what)?;
    }
    let live: Vec<Arc<FilterInfo>> = {
        let mut all = FILTERS.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|w| w.strong_count() > 0);
        all.iter().filter_map(Weak::upgrade).collect()
    };
    let mut candidates: Vec<(u64, Arc<FilterInfo>)> = mine
        .into_iter()
        .chain(live)
        .filter(|f| ops.iter().all(|op| f.ops.contains(op)))
        .map(|f| (Arc::as_ptr(&f) as u64, f))
        .collect();
    candidates.dedup_by_key(|(id, _)| *id);
    if candidates.is_empty() {
        return Ok(None);
    }
    let id = Arc::as_ptr(plan) as u64;
    let control = Arc::new(Control::default());
    let maps: Vec<_> = candidates
        .iter()
        .map(|(_, f)| Arc::downgrade(&f.attached))
        .collect();
    let end = control.clone();
    plan.on_end(Box::new(move || {
        end.end();
        for m in maps.iter().filter_map(Weak::upgrade) {
            m.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        }
    }));
    for (_, f) in &candidates {
        let attached = Attached {
            plan: plan.clone(),
            control: control.clone(),
        };
        f.attached
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, attached);
    }
    Ok(Some(Announce {
        candidates,
        plan: id,
    }))
}

impl Announce {
    /// Between fork and exec: `Ok(true)` announced to the supervisor of the
    /// filter this child carries; `Ok(false)` it carries none (install one);
    /// EBUSY if it carries one the plan can't use. Only system calls on
    /// memory prepared before the fork.
    pub(super) fn in_child(&self) -> Result<bool, i32> {
        for (id, info) in &self.candidates {
            // SAFETY: execve with a null path runs nothing (see PROBE).
            let r = unsafe { libc::syscall(libc::SYS_execve, 0usize, PROBE, *id) };
            match (r, errno()) {
                (-1, PROBE_ANSWER) => {
                    return in_child(info.sock.as_raw_fd(), self.plan).map(|()| true);
                }
                (-1, libc::EFAULT) => return Ok(false), // no kernel plan's filter here
                _ => {}                                 // another filter's: try the next
            }
        }
        Err(libc::EBUSY)
    }
}

/// Between fork and exec, in a child of a thread under a kernel plan: the
/// exec pipe's read end and a pidfd to the supervisor, with our pid. No
/// filter: the child carries its parent thread's already.
fn in_child(sock: RawFd, plan: u64) -> Result<(), i32> {
    let mut pipe = [0 as RawFd; 2];
    // SAFETY: pipe2 fills the array. O_CLOEXEC: the write end closes in
    // the exec, which is how the supervisor learns that it succeeded.
    if unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(errno());
    }
    // SAFETY: getpid and pidfd_open take integers.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
    if pidfd < 0 {
        return Err(errno());
    }
    // SAFETY: getpid takes nothing.
    let pid = unsafe { libc::getpid() } as u32;
    let sent = handoff::send(
        sock,
        &Handoff {
            listener: None,
            exec_pipe: pipe[0],
            pidfd: pidfd as RawFd,
            spawn_counted: SPAWN_COUNTED.with(|c| c.get()) as u64 == plan,
            pid,
            plan,
        },
    );
    // SAFETY: closing descriptors this child made; the supervisor has its
    // own copies now.
    unsafe {
        libc::close(pipe[0]);
        libc::close(pidfd as RawFd);
    }
    sent
}
