//! Fault plans inside child processes (Linux): seccomp user notification.
//!
//! Attaching a plan to a command adds a `pre_exec` step. Between fork and
//! exec, the child sets no-new-privs and installs a BPF filter that hands
//! the calls of the plan's operations, and every exec, to a listener descriptor
//! (`SECCOMP_FILTER_FLAG_NEW_LISTENER`). It sends that descriptor, with two
//! more, to a supervisor thread in this process over a socket pair, then
//! execs. Every process the child starts inherits the filter and can't
//! remove it, so the supervisor sees the whole tree, and the plan's
//! counters, which live here, count across it exactly.
//!
//! The child runs only system calls between fork and exec: the filter is
//! built before the fork, and nothing there allocates or locks.
//!
//! Measured in the spike (`docs/seccomp-spike.md`): a round trip costs
//! 20-25 µs; a call the filter doesn't list, 130-350 ns more than none.

mod callers;
mod child_memory;
mod decide;
mod entered;
mod exempt_programs;
mod filter;
mod handoff;
mod listener;
mod remote_path;
mod seccomp;
mod shield;
mod supervisor;
mod thread_plan;
mod thread_supervisor;
mod tree_kill;

pub(crate) use exempt_programs::exempt_program;
pub(crate) use seccomp::spawn_counted;
use seccomp::{OWNER_ENV, SPAWN_COUNTED, errno, install, refuse_second, support};
pub(crate) use thread_plan::enforce as enforce_on_thread;

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;

use crate::fault::Shared;
use crate::sys::ShieldStats;
use handoff::Handoff;
use supervisor::Supervisor;
use tree_kill::Control;

/// Attach `plan` to `cmd`: every child it spawns from now on, and their
/// whole trees, run under it.
pub(crate) fn attach(cmd: &mut Command, plan: Arc<Shared>) -> io::Result<()> {
    attach_plan(cmd, plan, None)
}

/// Attach `plan` and a shield to `cmd` at once: one filter, one
/// supervisor, which asks the plan first and holds an exec the plan let go
/// on until its file has no writer.
pub(crate) fn attach_both(
    cmd: &mut Command,
    plan: Arc<Shared>,
    stats: Arc<ShieldStats>,
) -> io::Result<()> {
    attach_plan(cmd, plan, Some(stats))
}

fn attach_plan(
    cmd: &mut Command,
    plan: Arc<Shared>,
    shield: Option<Arc<ShieldStats>>,
) -> io::Result<()> {
    let what = "fault plans can't reach child processes";
    // Where threads carry kernel plans' filters, the child may carry one:
    // then that filter's supervisor serves it (see `thread_plan::Announce`).
    let announce = match shield {
        Some(_) => {
            no_thread_filter("the shield can't hold execs")?;
            None
        }
        None => thread_plan::announce_hook(&plan, what)?,
    };
    let flags = support(what)?;
    refuse_second(cmd, what)?;
    let mut ops = plan.named_ops();
    // Execs are always watched: they tell the supervisor which program each
    // process runs (its record's `exe`, whether it is exempt).
    ops.push(crate::classify::Op::Exec);
    let plan_id = Arc::as_ptr(&plan) as usize;
    let control = Arc::new(Control::default());
    let end = control.clone();
    plan.on_end(Box::new(move || end.end()));
    let owner = if shield.is_some() {
        "child-plan+shield"
    } else {
        "child-plan"
    };
    let holds = shield.map(shield::Holds::new);
    let sv = (Some(plan), holds, control);
    supervise(cmd, flags, &ops, plan_id, sv, announce, owner)
}

/// Shield `cmd`'s whole tree: every exec whose file still has a writer is
/// held until the last writer closes (the `shield` module). Only execs are
/// handed over; every other call stays in the kernel.
pub(crate) fn attach_shield(cmd: &mut Command, stats: Arc<ShieldStats>) -> io::Result<()> {
    let what = "the shield can't hold execs";
    no_thread_filter(what)?;
    let flags = support(what)?;
    refuse_second(cmd, what)?;
    let holds = shield::Holds::new(stats);
    let control = Arc::new(Control::default());
    let ops = [crate::classify::Op::Exec];
    let sv = (None, Some(holds), control);
    supervise(cmd, flags, &ops, 0, sv, None, "shield")
}

/// A thread under a kernel plan's filter can't give a child a shield: the
/// child inherits the thread's listener, and the kernel allows one.
fn no_thread_filter(what: &'static str) -> io::Result<()> {
    if !thread_plan::filtered_here() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!(
            "{what} for a command spawned from this thread: the thread carries a kernel plan's \
             seccomp filter (FaultPlan::activate_in_kernel), whose listener its children \
             inherit, and a process tree has one; spawn it from a thread that doesn't carry it"
        ),
    ))
}

/// What the supervisor of one command serves: the plan, the shield's
/// holds, the trees to stop when the plan ends.
type Served = (Option<Arc<Shared>>, Option<shield::Holds>, Arc<Control>);

/// The supervisor thread and the child's hook, for a filter on `ops`; a
/// child that carries a kernel plan's filter announces itself to that
/// filter's supervisor instead (`announce`).
fn supervise(
    cmd: &mut Command,
    flags: libc::c_ulong,
    ops: &[crate::classify::Op],
    plan_id: usize,
    (plan, holds, control): Served,
    announce: Option<thread_plan::Announce>,
    owner: &str,
) -> io::Result<()> {
    let program = filter::program(ops);
    let (ours, theirs) = handoff::seqpacket_pair()?;
    let supervisor = Supervisor::new(ours, plan, holds, control);
    std::thread::Builder::new()
        .name("flakeproof-supervisor".into())
        .spawn(move || supervisor.run())?;
    // The child end lives in the closure, so in the command: when the
    // command is dropped, the supervisor sees EOF and, once its trees
    // have exited, ends.
    let hook = move || {
        if let Some(a) = &announce {
            match a.in_child() {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) => return Err(io::Error::from_raw_os_error(e)),
            }
        }
        in_child(&program, flags, theirs.as_raw_fd(), plan_id).map_err(io::Error::from_raw_os_error)
    };
    // SAFETY: the hook makes only system calls (async-signal-safe) on
    // memory prepared before the fork: no allocation, no locks.
    unsafe { cmd.pre_exec(hook) };
    // The tree's processes learn who owns their listener (see OWNER_ENV):
    // set only now, when nothing can fail any more, so that a command
    // whose attach failed never names an owner it doesn't have.
    cmd.env(OWNER_ENV, format!("{owner} {}", std::process::id()));
    Ok(())
}

/// Between fork and exec: no-new-privs, the filter, then the listener, the
/// exec pipe's read end and a pidfd of ourselves to the supervisor.
fn in_child(
    program: &[libc::sock_filter],
    flags: libc::c_ulong,
    sock: RawFd,
    plan_id: usize,
) -> Result<(), i32> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(errno());
    }
    let listener = install(program, flags)?;
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
            listener: Some(listener.as_raw_fd()),
            exec_pipe: pipe[0],
            pidfd: pidfd as RawFd,
            spawn_counted: SPAWN_COUNTED.with(|c| c.get()) == plan_id,
            pid,
            plan: plan_id as u64,
        },
    );
    // SAFETY: closing descriptors this child made; the supervisor has
    // its own copies now.
    unsafe {
        libc::close(pipe[0]);
        libc::close(pidfd as RawFd);
    }
    drop(listener);
    sent
}
