//! The poll loop of a kernel plan's supervisor: one thread per filtered
//! thread, started before the filter, waiting on the filter's listener (the
//! calls of the thread, of the threads it starts, and of every process they
//! spawn) and on the socket where children of commands with a plan attached
//! announce themselves. Each call is answered as the child plans'
//! supervisor answers (`decide`), by the plan in force for its caller:
//! [`entered`](super::entered) says which.
//!
//! The loop ends when the listener hangs up: every task that carried the
//! filter is gone. Until then it answers every call, so that a thread whose
//! plan has ended still gets its calls through (an unanswered listener's
//! calls would fail with ENOSYS).

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;

use super::callers::Callers;
use super::decide::{Answer, Stage, decide};
use super::entered::{self, FilterInfo, PROBE, PROBE_ANSWER, PROBE_OTHER};
use super::handoff::{self, Handoff};
use super::listener;
use super::tree_kill::{Control, DirectChild, hung_up};
use crate::fault::Shared;

/// The tree of one child of a command with a plan attached.
struct ChildTree {
    pid: u32,
    /// Hangs up once the child's first exec has succeeded (see the child
    /// plans' supervisor).
    exec_pipe: Option<OwnedFd>,
    spawn_counted: bool,
    /// Readable once the child has exited: its entry goes then.
    pidfd: OwnedFd,
    plan: Arc<Shared>,
    control: Arc<Control>,
}

impl ChildTree {
    fn stage(&mut self) -> Stage {
        if let Some(p) = &self.exec_pipe {
            if !hung_up(p.as_raw_fd(), 0) {
                return Stage::Spawning {
                    counted: self.spawn_counted,
                };
            }
            self.exec_pipe = None;
        }
        Stage::Running
    }
}

pub(super) struct ThreadSupervisor {
    listener: Arc<OwnedFd>,
    sock: Option<OwnedFd>,
    /// The filter it answers for: given to threads that probe for it.
    info: Arc<FilterInfo>,
    trees: Vec<ChildTree>,
    /// A process below a tree's direct child: its tree's pid (`None`:
    /// in no tree), found once through its parents.
    family: HashMap<u32, Option<u32>>,
    callers: Callers,
    own_pid: u32,
    /// This program: a child that still runs it hasn't exec'd yet.
    own_exe: std::path::PathBuf,
}

impl ThreadSupervisor {
    pub(super) fn new(listener: OwnedFd, sock: OwnedFd, info: Arc<FilterInfo>) -> Self {
        listener::wake_synchronously(listener.as_raw_fd());
        ThreadSupervisor {
            listener: Arc::new(listener),
            sock: Some(sock),
            info,
            trees: Vec::new(),
            family: HashMap::new(),
            callers: Callers::default(),
            own_pid: std::process::id(),
            own_exe: std::fs::read_link("/proc/self/exe").unwrap_or_default(),
        }
    }

    pub(super) fn run(mut self) {
        loop {
            let mut fds = vec![libc::pollfd {
                fd: self.listener.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            }];
            if let Some(s) = &self.sock {
                fds.push(libc::pollfd {
                    fd: s.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
            // SAFETY: `fds` is a valid array of `fds.len()` pollfds.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
            if n < 0 {
                // Never leave while the listener is open: the filter's
                // tasks would get ENOSYS for every watched call. (EINTR, or
                // ENOMEM for a moment.)
                continue;
            }
            if fds.get(1).is_some_and(|f| f.revents != 0) {
                self.accept();
            }
            let l = fds[0].revents;
            if l & libc::POLLIN != 0 {
                self.notification();
            } else if l != 0 {
                // POLLHUP: no task carries the filter any more.
                return;
            }
        }
    }

    /// A child announced itself, or every sender is gone (EOF).
    fn accept(&mut self) {
        let Some(sock) = &self.sock else { return };
        match handoff::receive(sock.as_raw_fd()) {
            Ok(Some(Handoff {
                listener: None,
                exec_pipe,
                pidfd,
                spawn_counted,
                pid,
                plan,
            })) => {
                // Trees whose direct child has exited go: their pidfds
                // must not pile up over thousands of spawns.
                self.trees.retain(|t| {
                    let gone = hung_up(t.pidfd.as_raw_fd(), 0);
                    if gone {
                        t.control.forget(t.pid);
                    }
                    !gone
                });
                self.family.clear();
                let attached = self.info.attached.lock().unwrap_or_else(|p| p.into_inner());
                // A plan that ended before its child got here: the child
                // runs unfaulted, as every call after the end does.
                let Some(a) = attached.get(&plan) else { return };
                let Ok(kill) = pidfd.try_clone() else { return };
                a.control.add(DirectChild { pidfd: kill, pid });
                self.trees.push(ChildTree {
                    pid,
                    exec_pipe: Some(exec_pipe),
                    spawn_counted,
                    pidfd,
                    plan: a.plan.clone(),
                    control: a.control.clone(),
                });
            }
            // A child that installed a filter of its own can't be here (the
            // kernel refuses it a listener): nothing to do with it.
            Ok(Some(_)) => {}
            Ok(None) => self.sock = None,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => self.sock = None,
        }
    }

    /// Take every announcement already sent: a child sends its own before
    /// any call of its program can be handed over, so after this a child
    /// with no tree has none.
    fn accept_pending(&mut self) {
        while let Some(s) = &self.sock {
            if !hung_up(s.as_raw_fd(), 0) {
                return;
            }
            self.accept();
        }
    }

    /// The tree process `pid` belongs to, through its parents.
    fn tree_of(&mut self, pid: u32) -> Option<usize> {
        if let Some(i) = self.trees.iter().position(|t| t.pid == pid) {
            return Some(i);
        }
        if !self.family.contains_key(&pid) {
            self.accept_pending();
            if let Some(i) = self.trees.iter().position(|t| t.pid == pid) {
                return Some(i);
            }
            let root = self.root_of(pid);
            self.family.insert(pid, root);
        }
        let root = self.family.get(&pid).copied().flatten()?;
        self.trees.iter().position(|t| t.pid == root)
    }

    /// Walk up from `pid` to a tree's direct child, stopping at this process.
    fn root_of(&self, pid: u32) -> Option<u32> {
        let mut p = pid;
        for _ in 0..64 {
            p = parent_of(p)?;
            if p <= 1 || p == self.own_pid {
                return None;
            }
            if self.trees.iter().any(|t| t.pid == p) {
                return Some(p);
            }
            if let Some(known) = self.family.get(&p) {
                return *known;
            }
        }
        None
    }

    /// A child still inside its spawn (this process's program, forked by a
    /// thread of this process): the thread inside a kernel plan that
    /// spawned it, and that plan; `None` if no such thread did, or the
    /// spawn went through flakeproof's gate, which counted it.
    fn spawner_of(&self, pid: u32) -> Option<(u32, Arc<Shared>)> {
        if parent_of(pid)? != self.own_pid {
            return None;
        }
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        if exe != self.own_exe {
            return None; // exec'd already: not a spawn any more
        }
        // A child's parent is the thread that forked it: each thread's
        // `children` lists its own.
        let own = self.own_pid;
        let spawner = entered::entered_tids().into_iter().find(|t| {
            std::fs::read_to_string(format!("/proc/{own}/task/{t}/children"))
                .is_ok_and(|c| c.split_whitespace().any(|c| c == pid.to_string()))
        })?;
        Some((spawner, entered::plan_of_thread(spawner)?))
    }

    /// The plan's answer to `n`, by who made the call.
    fn answer(&mut self, n: &libc::seccomp_notif, fd: std::os::fd::RawFd, exec: bool) -> Answer {
        let tid = n.pid;
        let pending = || listener::id_valid(fd, n.id);
        if entered::is_entered(tid) {
            // A thread of this process inside a kernel plan's scope.
            match entered::plan_of_thread(tid) {
                Some(plan) => {
                    let thread = Some(tid);
                    decide(n, Stage::Running, &mut self.callers, &plan, thread, pending)
                }
                None => Answer::Continue, // the gate counted it
            }
        } else {
            let pid = self.callers.get(tid).pid;
            let tree = match pid == self.own_pid {
                true => None, // a thread outside every kernel plan's scope
                false => self.tree_of(pid),
            };
            match tree {
                Some(i) if !self.trees[i].control.ended() => {
                    let stage = self.trees[i].stage();
                    let plan = self.trees[i].plan.clone();
                    decide(n, stage, &mut self.callers, &plan, None, pending)
                }
                Some(_) => Answer::Continue,
                // A child with no plan attached: its exec counts only as
                // the spawn of a thread inside a kernel plan (std's
                // `Command::spawn` on that thread).
                None if exec && pid != self.own_pid => match self.spawner_of(pid) {
                    Some((thread, plan)) => {
                        let stage = Stage::Spawning { counted: false };
                        decide(n, stage, &mut self.callers, &plan, Some(thread), pending)
                    }
                    None => Answer::Continue,
                },
                None => Answer::Continue,
            }
        }
    }

    fn notification(&mut self) {
        let held = self.listener.clone();
        let fd = held.as_raw_fd();
        let Ok(n) = listener::receive(fd) else {
            // ENOENT: the caller was interrupted (or died) first.
            return;
        };
        let exec = n.data.nr as libc::c_long == libc::SYS_execve
            || n.data.nr as libc::c_long == libc::SYS_execveat;
        let tid = n.pid;
        if n.data.nr as libc::c_long == libc::SYS_execve && n.data.args[..2] == [0, PROBE] {
            // A probe (see `entered::PROBE`): a thread of this process
            // asking which filter it carries (this one), or a child asking
            // whether it carries the filter it names.
            let ours = Arc::as_ptr(&self.info) as u64;
            let answer = match n.data.args[2] {
                0 if self.callers.get(tid).pid == self.own_pid => {
                    entered::note_carrier(tid, self.info.clone());
                    PROBE_ANSWER
                }
                named if named == ours => PROBE_ANSWER,
                _ => PROBE_OTHER,
            };
            let _ = listener::respond(fd, n.id, Some(answer));
            return;
        }
        // A panic deciding must not take the supervisor with it (its
        // listener would close, and every watched call fail with ENOSYS):
        // the call then goes on as if unwatched.
        let answer =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(&n, fd, exec)))
                .unwrap_or(Answer::Continue);
        match answer {
            Answer::Continue => drop(listener::respond(fd, n.id, None)),
            Answer::Gone => {}
            Answer::Verdict(v) if v.delay.is_zero() => drop(listener::respond(fd, n.id, v.fail)),
            Answer::Verdict(v) => {
                // Sleep on a thread of its own (not under the filter: this
                // one isn't), so that other calls are answered meanwhile.
                // No thread to be had (a thread limit): answer now, without
                // the delay, rather than die and leave the call unanswered.
                let (id, answer_later) = (n.id, held.clone());
                let sleeper = std::thread::Builder::new().spawn(move || {
                    std::thread::sleep(v.delay);
                    let _ = listener::respond(answer_later.as_raw_fd(), id, v.fail);
                });
                if sleeper.is_err() {
                    let _ = listener::respond(fd, id, v.fail);
                }
            }
        }
        if exec {
            self.callers.forget_process_of(tid);
        }
    }
}

/// The parent of process `pid` (`/proc/PID/status`).
fn parent_of(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("PPid:"))
        .and_then(|v| v.trim().parse().ok())
}
