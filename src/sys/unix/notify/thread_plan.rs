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
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::entered::{
    Attached, AttachedPlans, FilterInfo, PROBE, PROBE_ANSWER, gettid, register, take_carrier,
};
use super::filter;
use super::handoff::{self, Handoff};
use super::seccomp::{
    OWNER_ENV, SPAWN_COUNTED, Unavailable, errno, install, refuse_second, support,
};
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
    let r = unsafe { libc::syscall(libc::SYS_execve, 0usize, PROBE, PROBE) };
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
    // SAFETY: prctl with integer arguments, on this thread. No-new-privs is
    // what an unprivileged thread needs to install a filter; it stays set
    // (a set-uid program this thread execs won't gain privileges).
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(unavailable("prctl(PR_SET_NO_NEW_PRIVS)", errno()));
    }
    let listener = install(&program, flags)
        .map_err(|code| unavailable("seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)", code))?;
    FILTERED.fetch_add(1, Ordering::SeqCst);
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

/// Attach `plan` to `cmd` through this thread's filter, if it has one:
/// `None` if it hasn't (the caller installs a filter in the child as
/// usual). The child sends its pid to this thread's supervisor between
/// fork and exec, and its tree's calls count under `plan`.
pub(super) fn attach_here(
    cmd: &mut std::process::Command,
    plan: Arc<Shared>,
    what: &'static str,
) -> Option<io::Result<()>> {
    let info = filter_here()?;
    Some(attach_through(cmd, plan, what, info))
}

fn attach_through(
    cmd: &mut std::process::Command,
    plan: Arc<Shared>,
    what: &'static str,
    info: Arc<FilterInfo>,
) -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    covered(&info.ops, &ops_of(&plan), what)?;
    let attached = info.attached.clone();
    refuse_second(cmd, what)?;
    let id = Arc::as_ptr(&plan) as u64;
    let control = Arc::new(Control::default());
    let (end, gone) = (control.clone(), Arc::downgrade(&attached));
    plan.on_end(Box::new(move || {
        end.end();
        if let Some(a) = gone.upgrade() {
            a.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        }
    }));
    attached
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, Attached { plan, control });
    // The hook holds the filter's info, so its socket stays open while
    // the command can spawn.
    let hook = move || in_child(info.sock.as_raw_fd(), id).map_err(io::Error::from_raw_os_error);
    // SAFETY: the hook makes only system calls (async-signal-safe) on
    // memory prepared before the fork: no allocation, no locks.
    unsafe { cmd.pre_exec(hook) };
    cmd.env(OWNER_ENV, format!("thread-plan {}", std::process::id()));
    Ok(())
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
