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

use super::entered::{Attached, AttachedPlans, register};
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

/// This thread's filter, from its first kernel plan on.
struct ThreadFilter {
    ops: Vec<Op>,
    /// The child end of the supervisor's socket, for the commands this
    /// thread attaches plans to (each spawn's hook sends on it).
    sock: Arc<OwnedFd>,
    attached: AttachedPlans,
}

thread_local! {
    static FILTER: RefCell<Option<ThreadFilter>> = const { RefCell::new(None) };
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
    let had = FILTER.with(|f| f.borrow().as_ref().map(|f| covered(&f.ops, &ops, WHAT)));
    match had {
        Some(r) => r?,
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
    let attached = AttachedPlans::default();
    // The supervisor starts before the filter exists: a thread inherits
    // its creator's filters, and a supervisor under its own filter would
    // wait on itself at its first watched call.
    let (tx, rx) = std::sync::mpsc::channel::<OwnedFd>();
    let theirs_attached = attached.clone();
    std::thread::Builder::new()
        .name("flakeproof-kernel-plan".into())
        .spawn(move || {
            if let Ok(listener) = rx.recv() {
                ThreadSupervisor::new(listener, ours, theirs_attached).run();
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
    FILTER.with(|f| {
        *f.borrow_mut() = Some(ThreadFilter {
            ops,
            sock: Arc::new(theirs),
            attached,
        })
    });
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

/// Does this thread carry a filter of a kernel plan (installed here)?
pub(super) fn filtered_here() -> bool {
    FILTER.with(|f| f.borrow().is_some())
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
    let (ops, sock, attached) = FILTER.with(|f| {
        let f = f.borrow();
        let f = f.as_ref()?;
        Some((f.ops.clone(), f.sock.clone(), f.attached.clone()))
    })?;
    Some(attach_through(cmd, plan, what, &ops, sock, attached))
}

fn attach_through(
    cmd: &mut std::process::Command,
    plan: Arc<Shared>,
    what: &'static str,
    ops: &[Op],
    sock: Arc<OwnedFd>,
    attached: AttachedPlans,
) -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    covered(ops, &ops_of(&plan), what)?;
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
    let hook = move || in_child(sock.as_raw_fd(), id).map_err(io::Error::from_raw_os_error);
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
