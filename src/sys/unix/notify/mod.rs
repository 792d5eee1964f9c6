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
mod exempt_programs;
mod filter;
mod handoff;
mod listener;
mod remote_path;
mod shield;
mod supervisor;
mod thread_plan;
mod thread_supervisor;
mod tree_kill;

pub(crate) use exempt_programs::exempt_program;
pub(crate) use thread_plan::enforce as enforce_on_thread;

use std::cell::Cell;
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use crate::fault::Shared;
use crate::sys::ShieldStats;
use handoff::Handoff;
use supervisor::Supervisor;
use tree_kill::Control;

thread_local! {
    /// While this thread spawns through flakeproof's gate: the plan the
    /// gate consulted for the spawn (its id, 0 for none). The forked child
    /// reads its copy (a plain TLS read: safe between fork and exec); if it
    /// is the plan attached to the command, the child's first exec, the
    /// same event, is not counted again.
    static SPAWN_COUNTED: Cell<usize> = const { Cell::new(0) };
}

/// Run `spawn` (a gated spawn, counted by the plan `by`) with
/// [`SPAWN_COUNTED`] set.
pub(crate) fn spawn_counted<R>(by: usize, spawn: impl FnOnce() -> R) -> R {
    struct Reset(usize);
    impl Drop for Reset {
        fn drop(&mut self) {
            SPAWN_COUNTED.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(SPAWN_COUNTED.with(|c| c.replace(by)));
    spawn()
}

/// The environment variable that names who owns the seccomp listener of a
/// process tree: `<owner> <pid>` (today `child-plan`; the command-line tool,
/// the shield and kernel plans on a thread will add theirs). The kernel
/// allows one listener per filter chain and answers a second with EBUSY
/// without saying whose the first is: this says it. It is a hint, never the
/// decision: the kernel's EBUSY is (a variable inherited by a process
/// outside any filter changes nothing).
pub(crate) const OWNER_ENV: &str = "FLAKEPROOF_SECCOMP_OWNER";

/// Why plans can't reach child processes here: the step that failed and
/// the OS's error, kept whole as the `source()`.
#[derive(Debug)]
struct Unavailable {
    /// What can't work: "fault plans can't reach child processes", "the
    /// shield can't hold execs".
    what: &'static str,
    step: &'static str,
    os: io::Error,
    /// [`OWNER_ENV`]'s value, when the kernel said EBUSY.
    owner: Option<String>,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.os.raw_os_error() == Some(libc::EBUSY) {
            // One listener per process tree, and this tree has one.
            return match &self.owner {
                Some(owner) => write!(
                    f,
                    "{} here: this process runs under flakeproof's {owner} ({OWNER_ENV}), \
                     which owns the seccomp listener of its whole tree; the kernel allows one \
                     ({}: {})",
                    self.what, self.step, self.os
                ),
                None => write!(
                    f,
                    "{} here: another supervisor (not flakeproof's: a sandbox, a container \
                     runtime, a tracer) owns the seccomp listener of this process tree, and \
                     the kernel allows one ({}: {})",
                    self.what, self.step, self.os
                ),
            };
        }
        write!(
            f,
            "{} here: {} failed ({}). It needs seccomp user notification with CONTINUE \
             and pidfd_open (Linux 5.5+), which some sandboxes and container profiles refuse",
            self.what, self.step, self.os
        )
    }
}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.os)
    }
}

/// The filter flags this kernel takes, or why it takes none. Found once
/// per process (the probe costs a thread: 0.3 to 1 ms measured here).
fn support(what: &'static str) -> io::Result<libc::c_ulong> {
    static FOUND: OnceLock<Result<libc::c_ulong, (&'static str, i32)>> = OnceLock::new();
    let found = FOUND.get_or_init(probe);
    found.map_err(|(step, code)| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            Unavailable {
                what,
                step,
                os: io::Error::from_raw_os_error(code),
                owner: std::env::var(OWNER_ENV).ok(),
            },
        )
    })
}

fn probe() -> Result<libc::c_ulong, (&'static str, i32)> {
    // pidfd_open (Linux 5.3): the supervisor's handle on each child, so
    // that a stuck one can be killed without a pid reused meanwhile.
    // SAFETY: getpid and pidfd_open take integers; the descriptor is
    // closed at once.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
    if pidfd < 0 {
        return Err(("pidfd_open (Linux 5.3)", errno()));
    }
    // SAFETY: the descriptor just opened.
    unsafe { libc::close(pidfd as RawFd) };
    // A real round trip: a throwaway thread installs a filter that
    // notifies its own getppid, and this thread answers it with CONTINUE
    // (Linux 5.5), as the supervisor answers every call it lets through.
    // The filter applies to the thread that installs it (and to what it
    // starts), and ends with it: this thread stays unfiltered.
    let (tx, rx) = std::sync::mpsc::channel();
    let caller = std::thread::spawn(move || {
        // SAFETY: prctl with integer arguments, on this thread.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            let _ = tx.send(Err(("prctl(PR_SET_NO_NEW_PRIVS)", errno())));
            return;
        }
        let program = filter::probe_program();
        // WAIT_KILLABLE_RECV (5.19+): once the supervisor has received a
        // call, a signal no longer interrupts it. Without it, a signal (Go's
        // preemption, a timer) restarts the call, and a restarted call
        // would be counted twice.
        let mut last = 0;
        for flags in [
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER | libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
            libc::SECCOMP_FILTER_FLAG_NEW_LISTENER,
        ] {
            match install(&program, flags) {
                Ok(fd) => {
                    let _ = tx.send(Ok((fd, flags)));
                    // SAFETY: getppid takes nothing; it blocks until answered.
                    unsafe { libc::getppid() };
                    return;
                }
                Err(e) => last = e,
            }
        }
        let _ = tx.send(Err((
            "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)",
            last,
        )));
    });
    let found = match rx.recv() {
        Ok(Ok((listener, flags))) => {
            let answered = listener::answer_one(listener.as_raw_fd(), None);
            if answered.is_err() {
                // Unblock the caller with an error (Linux 5.0 takes that).
                let _ = listener::answer_one(listener.as_raw_fd(), Some(libc::ENOSYS));
            }
            answered
                .map(|()| flags)
                .map_err(|e| ("SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5)", e))
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(("the probe", libc::EINVAL)),
    };
    let _ = caller.join();
    found
}

fn errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

/// Install `program` on the calling thread; its listener, or the errno.
/// Only system calls: this runs between fork and exec.
fn install(program: &[libc::sock_filter], flags: libc::c_ulong) -> Result<OwnedFd, i32> {
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: seccomp(2) reads `prog`, which points at `program`; both
    // live through the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flags,
            &prog as *const libc::sock_fprog,
        )
    };
    if fd < 0 {
        return Err(errno());
    }
    // SAFETY: a new descriptor the kernel just gave us.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

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
    if shield.is_some() {
        no_thread_filter("the shield can't hold execs")?;
    } else if let Some(done) = thread_plan::attach_here(cmd, plan.clone(), what) {
        // Under this thread's kernel plan: its listener serves the child.
        return done;
    }
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
    supervise(cmd, flags, &ops, plan_id, Some(plan), holds, control, owner)
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
    supervise(cmd, flags, &ops, 0, None, Some(holds), control, "shield")
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
            "{what} for a command spawned from this thread: the thread carries a kernel plan's              seccomp filter (FaultPlan::activate_in_kernel), whose listener its children              inherit, and a process tree has one; spawn it from another thread"
        ),
    ))
}

/// One listener per tree: a command given a plan or a shield already can't
/// take another (its second filter would meet the kernel's EBUSY at spawn,
/// as an error naming nothing). Said now, naming the first.
fn refuse_second(cmd: &Command, what: &'static str) -> io::Result<()> {
    let first = cmd
        .get_envs()
        .find(|(k, v)| *k == OWNER_ENV && v.is_some())
        .and_then(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()));
    match first {
        None => Ok(()),
        Some(owner) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "{what} for this command: it has flakeproof's {owner} attached already, and a \
                 process tree has one seccomp listener (a plan and a shield go together \
                 through `ShieldExt::shield_with_faults`)"
            ),
        )),
    }
}

/// The supervisor thread and the child's hook, for a filter on `ops`.
#[allow(clippy::too_many_arguments)] // one private call site per feature
fn supervise(
    cmd: &mut Command,
    flags: libc::c_ulong,
    ops: &[crate::classify::Op],
    plan_id: usize,
    plan: Option<Arc<Shared>>,
    holds: Option<shield::Holds>,
    control: Arc<Control>,
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
