//! The supervisor's poll loop: a thread in the test process that waits on
//! the command's socket (new trees), every tree's listener (calls to
//! answer) and every exec pipe (spawns done), and answers each call with
//! what [`decide`](super::decide) says: an errno, or "continue" (after any
//! delay).
//!
//! The thread ends once the command is gone (its end of the socket closes)
//! and every tree it spawned has exited (each listener reports POLLHUP). It
//! never closes a listener while a process of its tree lives: those would
//! get ENOSYS for every watched call.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;

use super::callers::Callers;
use super::decide::{Answer, Stage, decide};
use super::handoff::{self, Handoff};
use super::listener;
use super::shield::{Decision, Holds};
use super::tree_kill::{Control, DirectChild, hung_up};
use crate::fault::Shared;

/// One child tree: the listener of the filter its direct child installed.
struct Tree {
    listener: Arc<OwnedFd>,
    /// The read end of a pipe whose only write end the direct child holds,
    /// close-on-exec: it hangs up once the child's first exec has
    /// succeeded (or the child is gone). Until then, the direct child is
    /// still inside the spawn.
    exec_pipe: Option<OwnedFd>,
    /// The spawn was consulted in this process already (flakeproof's spawn
    /// gate): the direct child's first exec is the same event and is not
    /// counted twice.
    spawn_counted: bool,
    /// The direct child's pid: its entry in [`Control`]'s kill list.
    pid: u32,
}

impl Tree {
    /// Has the direct child's first exec succeeded? Asked when a call
    /// comes, so the answer can't lag: the kernel closes the pipe inside
    /// the exec, before the new program makes any call.
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

pub(super) struct Supervisor {
    /// Our end of the command's socket: each spawned child sends its
    /// listener, exec pipe and pidfd here.
    sock: Option<OwnedFd>,
    /// The fault plan the calls are decided by, if one is attached.
    plan: Option<Arc<Shared>>,
    /// The shield's held execs, if a shield is attached: it holds what
    /// the plan lets go.
    holds: Option<Holds>,
    control: Arc<Control>,
    trees: Vec<Tree>,
    callers: Callers,
}

impl Supervisor {
    pub(super) fn new(
        sock: OwnedFd,
        plan: Option<Arc<Shared>>,
        holds: Option<Holds>,
        control: Arc<Control>,
    ) -> Self {
        Supervisor {
            sock: Some(sock),
            plan,
            holds,
            control,
            trees: Vec::new(),
            callers: Callers::default(),
        }
    }

    pub(super) fn run(mut self) {
        enum Slot {
            Sock,
            Listener(usize),
            Pipe(usize),
            Holds,
        }
        loop {
            let (mut fds, mut slots) = (Vec::new(), Vec::new());
            let mut watch = |fd: RawFd, slot| {
                fds.push(libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                });
                slots.push(slot);
            };
            if let Some(s) = &self.sock {
                watch(s.as_raw_fd(), Slot::Sock);
            }
            for (i, t) in self.trees.iter().enumerate() {
                watch(t.listener.as_raw_fd(), Slot::Listener(i));
                if let Some(p) = &t.exec_pipe {
                    watch(p.as_raw_fd(), Slot::Pipe(i));
                }
            }
            if let Some(fd) = self.holds.as_ref().and_then(Holds::fd) {
                watch(fd, Slot::Holds);
            }
            if fds.is_empty() {
                return;
            }
            // Until the nearest re-probe or budget of a held exec, if any.
            let timeout = self
                .holds
                .as_ref()
                .and_then(Holds::timeout)
                .map(|t| libc::timespec {
                    tv_sec: t.as_secs() as libc::time_t,
                    tv_nsec: t.subsec_nanos().into(),
                });
            let ts = timeout.as_ref().map_or(std::ptr::null(), |t| t as *const _);
            // SAFETY: `fds` is a valid array of `fds.len()` pollfds; `ts` is
            // null or a timespec that outlives the call.
            let n = unsafe {
                libc::ppoll(
                    fds.as_mut_ptr(),
                    fds.len() as libc::nfds_t,
                    ts,
                    std::ptr::null(),
                )
            };
            if n < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            let (mut accept, mut ready, mut gone) = (false, Vec::new(), Vec::new());
            for (f, slot) in fds.iter().zip(&slots) {
                match *slot {
                    _ if f.revents == 0 => {}
                    Slot::Sock => accept = true,
                    Slot::Holds => {
                        if let Some(h) = &mut self.holds {
                            h.events();
                        }
                    }
                    Slot::Listener(i) if f.revents & libc::POLLIN != 0 => ready.push(i),
                    // POLLHUP: every process of the tree has exited.
                    Slot::Listener(i) => gone.push(i),
                    // Hung up (nothing is ever written to it, so readable
                    // means EOF too): the first exec is done.
                    Slot::Pipe(i) => self.trees[i].exec_pipe = None,
                }
            }
            if let Some(h) = &mut self.holds {
                h.tick();
            }
            for i in ready {
                self.notification(i);
            }
            if accept {
                self.accept();
            }
            for i in gone.into_iter().rev() {
                let tree = self.trees.remove(i);
                if let Some(h) = &mut self.holds {
                    h.forget(&tree.listener);
                }
                self.control.forget(tree.pid);
            }
        }
    }

    /// A child sent its listener, or the command is gone (EOF).
    fn accept(&mut self) {
        let Some(sock) = &self.sock else { return };
        match handoff::receive(sock.as_raw_fd()) {
            Ok(Some(Handoff {
                listener: Some(fd),
                exec_pipe,
                pidfd,
                spawn_counted,
                pid,
                ..
            })) => {
                listener::wake_synchronously(fd.as_raw_fd());
                self.control.add(DirectChild { pidfd, pid });
                if let Some(h) = &self.holds {
                    h.tree_started();
                }
                self.trees.push(Tree {
                    listener: Arc::new(fd),
                    exec_pipe: Some(exec_pipe),
                    spawn_counted,
                    pid,
                });
            }
            // Every child here sends the listener of the filter it installed.
            Ok(Some(_)) => {}
            Ok(None) => self.sock = None,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => self.sock = None,
        }
    }

    fn notification(&mut self, tree: usize) {
        let held = self.trees[tree].listener.clone();
        let fd = held.as_raw_fd();
        let Ok(n) = listener::receive(fd) else {
            // ENOENT: the caller was interrupted (or died) before we got
            // to it; the kernel withdrew the notification.
            return;
        };
        let exec = n.data.nr as libc::c_long == libc::SYS_execve
            || n.data.nr as libc::c_long == libc::SYS_execveat;
        let answer = match &self.plan {
            Some(plan) if !self.control.ended() => {
                let stage = self.trees[tree].stage();
                decide(&n, stage, &mut self.callers, plan, None, || {
                    listener::id_valid(fd, n.id)
                })
            }
            _ => Answer::Continue,
        };
        let goes_on = match &answer {
            Answer::Continue => true,
            Answer::Verdict(v) => v.fail.is_none() && v.delay.is_zero(),
            Answer::Gone => false,
        };
        // The shield holds the execs the plan lets go on.
        if exec
            && goes_on
            && let Some(holds) = &mut self.holds
        {
            let decision = match super::shield::exec_path(&n) {
                Some(path) => holds.exec(&held, n.id, n.pid, &path),
                None => {
                    holds.unreadable();
                    Decision::Release
                }
            };
            if decision == Decision::Held {
                self.callers.forget_process_of(n.pid);
                return;
            }
        }
        match answer {
            Answer::Continue => drop(listener::respond(fd, n.id, None)),
            Answer::Gone => {}
            Answer::Verdict(v) if v.delay.is_zero() => drop(listener::respond(fd, n.id, v.fail)),
            Answer::Verdict(v) => {
                // Sleep on a thread of its own: the tree's other processes
                // keep being answered meanwhile.
                let id = n.id;
                std::thread::spawn(move || {
                    std::thread::sleep(v.delay);
                    let _ = listener::respond(held.as_raw_fd(), id, v.fail);
                });
            }
        }
        if exec {
            // Its executable (and, for a thread of a multithreaded
            // process, its id: it takes the leader's) change if the exec
            // succeeds.
            self.callers.forget_process_of(n.pid);
        }
    }
}
