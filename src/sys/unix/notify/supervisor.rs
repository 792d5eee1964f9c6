//! The supervisor: a thread in the test process that answers the
//! notifications of every child tree one command spawns. For each call it
//! reads the path from the child's memory, resolves it, checks that the
//! kernel would get past its lookup, re-validates the notification, asks
//! the plan, and answers: an errno, or "continue" (after any delay).
//!
//! The thread ends once the command is gone (its end of the socket closes)
//! and every tree it spawned has exited (each listener reports POLLHUP). It
//! never closes a listener while a process of its tree lives: those would
//! get ENOSYS for every watched call.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::filter::{self, Decoded, Needs, Target, AT_FDCWD};
use crate::classify::Op;
use crate::fault::{ChildCall, Shared};

/// What the guard's drop reaches: the trees to stop, and whether the plan
/// has ended (then every call passes unrecorded).
#[derive(Default)]
pub(super) struct Control {
    ended: AtomicBool,
    /// Each tree's direct child: a pidfd (so a reused pid is never
    /// signalled) and its pid (to find its descendants).
    children: Mutex<Vec<(Arc<OwnedFd>, u32)>>,
}

impl Control {
    /// The plan ended: stop every tree. Descendants first, found through
    /// `/proc/PID/task/TID/children` while their parents still hold them,
    /// then the direct child through its pidfd. A process that left the
    /// tree by a double fork is out of reach: it runs on, unfaulted, and
    /// the supervisor keeps answering it until it exits.
    pub(super) fn end(&self) {
        self.ended.store(true, Ordering::SeqCst);
        let children = self.children.lock().unwrap_or_else(|p| p.into_inner());
        for (pidfd, pid) in children.iter() {
            if hung_up(pidfd.as_raw_fd(), 0) {
                // A pidfd is readable once its process has exited: its pid
                // may be someone else's by now, and so may its children.
                continue;
            }
            for d in descendants(*pid) {
                // SAFETY: kill takes plain integers. `d` was read from
                // /proc a moment ago as a live descendant.
                unsafe { libc::kill(d as libc::pid_t, libc::SIGKILL) };
            }
            // SAFETY: pidfd_send_signal on a pidfd we own; a null siginfo
            // is allowed. Fails harmlessly (ESRCH) if it already exited.
            unsafe {
                libc::syscall(
                    libc::SYS_pidfd_send_signal,
                    pidfd.as_raw_fd(),
                    libc::SIGKILL,
                    std::ptr::null::<libc::siginfo_t>(),
                    0,
                )
            };
        }
    }
}

/// Every descendant of `pid` that /proc shows now, deepest last.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let children = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
            for c in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                if !found.contains(&c) {
                    found.push(c);
                    queue.push(c);
                }
            }
        }
    }
    found
}

/// One child tree: the listener of the filter its direct child installed.
struct Tree {
    listener: Arc<OwnedFd>,
    /// The read end of a pipe whose only write end the direct child holds,
    /// close-on-exec: it hangs up once the child's first exec has
    /// succeeded (or the child is gone). Until then, the direct child is
    /// still inside the spawn: its exec is the spawn, and any other call it
    /// makes is std's own machinery, never the program's.
    exec_pipe: Option<OwnedFd>,
    /// The spawn was consulted in this process already (flakeproof's spawn
    /// gate): the direct child's first exec is the same event and is not
    /// counted twice.
    spawn_counted: bool,
    /// The direct child's pid: its entry in [`Control::children`].
    pid: u32,
}

impl Tree {
    /// Has the direct child's first exec succeeded? Asked when a call
    /// comes, so the answer can't lag: the kernel closes the pipe inside
    /// the exec, before the new program makes any call.
    fn spawned(&mut self) -> bool {
        if let Some(p) = &self.exec_pipe {
            if !hung_up(p.as_raw_fd(), 0) {
                return false;
            }
            self.exec_pipe = None;
        }
        true
    }
}

pub(super) struct Supervisor {
    /// Our end of the command's socket: each spawned child sends its
    /// listener, exec pipe and pidfd here.
    sock: Option<OwnedFd>,
    plan: Arc<Shared>,
    control: Arc<Control>,
    trees: Vec<Tree>,
    /// Thread id to (process id, executable, shielded): a notification
    /// names the thread. Forgotten when the thread execs.
    who: HashMap<u32, (u32, PathBuf, bool)>,
}

impl Supervisor {
    pub(super) fn new(sock: OwnedFd, plan: Arc<Shared>, control: Arc<Control>) -> Self {
        Supervisor {
            sock: Some(sock),
            plan,
            control,
            trees: Vec::new(),
            who: HashMap::new(),
        }
    }

    pub(super) fn run(mut self) {
        enum Slot {
            Sock,
            Listener(usize),
            Pipe(usize),
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
            if fds.is_empty() {
                return;
            }
            // SAFETY: `fds` is a valid array of `fds.len()` pollfds.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
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
                    Slot::Listener(i) if f.revents & libc::POLLIN != 0 => ready.push(i),
                    // POLLHUP: every process of the tree has exited.
                    Slot::Listener(i) => gone.push(i),
                    // Hung up (nothing is ever written to it, so readable
                    // means EOF too): the first exec is done.
                    Slot::Pipe(i) => self.trees[i].exec_pipe = None,
                }
            }
            for i in ready {
                self.notification(i);
            }
            if accept {
                self.accept();
            }
            for i in gone.into_iter().rev() {
                let tree = self.trees.remove(i);
                // Its processes are gone: nothing left to kill, and its
                // pidfd must not pile up over thousands of spawns.
                let mut children = self
                    .control
                    .children
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                children.retain(|(_, pid)| *pid != tree.pid);
            }
        }
    }

    /// A child sent its listener, or the command is gone (EOF).
    fn accept(&mut self) {
        let Some(sock) = &self.sock else { return };
        match receive(sock.as_raw_fd()) {
            Ok(Some((fds, spawn_counted, pid))) => {
                let [listener, exec_pipe, pidfd] = fds;
                // Linux 6.6+: wake the supervisor synchronously, on the
                // caller's CPU, when a call arrives. Best effort: older
                // kernels answer EINVAL and keep the usual wakeup.
                const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: u64 = 1;
                // SAFETY: SET_FLAGS takes the flags as a plain integer.
                unsafe {
                    libc::ioctl(
                        listener.as_raw_fd(),
                        libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                        SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
                    )
                };
                self.control
                    .children
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((Arc::new(pidfd), pid));
                self.trees.push(Tree {
                    listener: Arc::new(listener),
                    exec_pipe: Some(exec_pipe),
                    spawn_counted,
                    pid,
                });
            }
            Ok(None) => self.sock = None,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => self.sock = None,
        }
    }

    fn notification(&mut self, tree: usize) {
        let listener = self.trees[tree].listener.clone();
        let fd = listener.as_raw_fd();
        // SAFETY: seccomp_notif is plain data; the kernel wants it zeroed.
        let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
        // SAFETY: RECV fills `n`, a seccomp_notif we own.
        if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut n) } != 0 {
            // ENOENT: the caller was interrupted (or died) before we got
            // to it; the kernel withdrew the notification.
            return;
        }
        match self.decide(tree, &n) {
            Answer::Continue => drop(respond(fd, n.id, None)),
            Answer::Gone => {}
            Answer::Verdict(v) if v.delay.is_zero() => drop(respond(fd, n.id, v.fail)),
            Answer::Verdict(v) => {
                // Sleep on a thread of its own: the tree's other processes
                // keep being answered meanwhile.
                let id = n.id;
                std::thread::spawn(move || {
                    std::thread::sleep(v.delay);
                    let _ = respond(listener.as_raw_fd(), id, v.fail);
                });
            }
        }
        if n.data.nr as libc::c_long == libc::SYS_execve
            || n.data.nr as libc::c_long == libc::SYS_execveat
        {
            // Its executable (and, for a thread of a multithreaded
            // process, its id: it takes the leader's) change if the exec
            // succeeds. Forget the whole process.
            if let Some((pid, _, _)) = self.who.remove(&n.pid) {
                self.who.retain(|_, w| w.0 != pid);
            }
        }
    }

    fn decide(&mut self, tree: usize, n: &libc::seccomp_notif) -> Answer {
        if self.control.ended.load(Ordering::SeqCst) {
            return Answer::Continue;
        }
        let Some(mut call) = filter::decode(n.data.nr, &n.data.args) else {
            return Answer::Continue;
        };
        let t = &mut self.trees[tree];
        if !t.spawned() {
            if call.op != Op::Exec || t.spawn_counted {
                return Answer::Continue;
            }
            // The direct child's exec, before it has succeeded once: the
            // spawn itself (each PATH candidate of std's execvp comes here).
            call.op = Op::Spawn;
        }
        let tid = n.pid;
        let (pid, exe, shielded) = self.who(tid);
        if shielded {
            // A fake command's shim: its bookkeeping is not the code
            // under test.
            return Answer::Continue;
        }
        if let Some(how) = call.how {
            let Ok(flags) = read_u64(tid, n.data.args[how]) else {
                return Answer::Continue;
            };
            call = filter::open_by_flags(flags, call.target);
        }
        let Some(path) = target_path(tid, &call.target, &n.data.args) else {
            return Answer::Continue;
        };
        if !kernel_gets_past_lookup(tid, &call, &path, &n.data.args) {
            return Answer::Continue;
        }
        // After reading its memory and /proc: is it still the same call?
        // (The thread could have died and its id been reused.)
        if !id_valid(self.trees[tree].listener.as_raw_fd(), n.id) {
            return Answer::Gone;
        }
        let verdict = self.plan.consult_child(&ChildCall {
            op: call.op,
            path: &path,
            pid,
            exe: &exe,
        });
        Answer::Verdict(verdict)
    }

    fn who(&mut self, tid: u32) -> (u32, PathBuf, bool) {
        self.who
            .entry(tid)
            .or_insert_with(|| {
                let pid = thread_group(tid).unwrap_or(tid);
                let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
                let shielded = super::shield::shielded(Path::new(&format!("/proc/{pid}/exe")));
                (pid, exe, shielded)
            })
            .clone()
    }
}

enum Answer {
    Continue,
    /// The notification is no longer valid: nobody to answer.
    Gone,
    Verdict(crate::fault::Verdict),
}

fn hung_up(fd: RawFd, timeout_ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut p, 1, timeout_ms) > 0 }
}

/// Receive one notification on `fd` and answer it (the support probe's
/// round trip): the errno of whichever step failed.
pub(super) fn answer_one(fd: RawFd, fail: Option<i32>) -> Result<(), i32> {
    // SAFETY: seccomp_notif is plain data; the kernel wants it zeroed.
    let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: RECV fills `n`, a seccomp_notif we own.
    if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut n) } != 0 {
        return Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL));
    }
    respond(fd, n.id, fail)
}

fn respond(fd: RawFd, id: u64, fail: Option<i32>) -> Result<(), i32> {
    let mut resp = libc::seccomp_notif_resp {
        id,
        val: 0,
        error: fail.map_or(0, |e| -e),
        flags: if fail.is_some() {
            0
        } else {
            libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32
        },
    };
    // SAFETY: SEND reads `resp`, which we own. ENOENT (the caller was
    // killed meanwhile) needs no handling by the supervisor: nobody is
    // waiting.
    if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut resp) } != 0 {
        return Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL));
    }
    Ok(())
}

fn id_valid(fd: RawFd, id: u64) -> bool {
    let mut id = id;
    // SAFETY: ID_VALID reads the u64 we pass.
    unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_ID_VALID, &mut id) == 0 }
}

/// Receive one child's descriptors: (listener, exec pipe, pidfd), whether
/// its spawn was counted here, and its pid. `None` at EOF.
#[allow(clippy::type_complexity)]
fn receive(sock: RawFd) -> io::Result<Option<([OwnedFd; 3], bool, u32)>> {
    let mut data = [0u8; 5];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    let mut cmsg = [0u64; 16];
    // SAFETY: msghdr is plain data; zeroed is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cmsg) as _;
    // SAFETY: the header points at buffers that live through the call.
    // MSG_CMSG_CLOEXEC: the descriptors must not leak into other children.
    let n = unsafe { libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    if n == 0 {
        return Ok(None);
    }
    let mut fds = Vec::new();
    // SAFETY: walking the control buffer the kernel filled, with libc's
    // macros, which stay within msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let bytes = (*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                let p = libc::CMSG_DATA(c).cast::<RawFd>();
                for i in 0..bytes / std::mem::size_of::<RawFd>() {
                    fds.push(OwnedFd::from_raw_fd(p.add(i).read_unaligned()));
                }
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    let fds: [OwnedFd; 3] = fds
        .try_into()
        .map_err(|_| io::Error::from_raw_os_error(libc::EPROTO))?;
    let pid = u32::from_ne_bytes(data[1..5].try_into().unwrap());
    Ok(Some((fds, data[0] != 0, pid)))
}

/// The call's path, resolved: against the caller's working directory or
/// the directory its `dirfd` names, lexically (`.` and `..` folded).
fn target_path(tid: u32, target: &Target, args: &[u64; 6]) -> Option<PathBuf> {
    match *target {
        Target::Fd(i) => fd_path(tid, args[i] as i32),
        Target::At { dirfd, path } => at_path(tid, dirfd.map(|d| args[d]), args[path]),
    }
}

fn at_path(tid: u32, dirfd: Option<u64>, addr: u64) -> Option<PathBuf> {
    let raw = read_c_string(tid, addr).ok()?;
    let path = Path::new(OsStr::from_bytes(&raw));
    if path.is_absolute() {
        return Some(normalize(path));
    }
    let base = match dirfd.map(|d| d as i32 as i64) {
        None | Some(AT_FDCWD) => std::fs::read_link(format!("/proc/{tid}/cwd")).ok()?,
        Some(fd) => fd_path(tid, fd as i32)?,
    };
    Some(normalize(&base.join(path)))
}

fn fd_path(tid: u32, fd: i32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{tid}/fd/{fd}")).ok()
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Would the kernel get past its lookup? Where it would not (a missing
/// file, a PATH candidate that isn't there), it answers ENOENT first, and a
/// fault injected there would be one the kernel never gives: glibc's
/// execvp, for one, stops its PATH search at an ETXTBSY, but goes on past
/// an ENOENT.
fn kernel_gets_past_lookup(tid: u32, call: &Decoded, path: &Path, args: &[u64; 6]) -> bool {
    match call.needs {
        Needs::Nothing => true,
        Needs::Target => std::fs::metadata(path).is_ok(),
        Needs::TargetNoFollow => std::fs::symlink_metadata(path).is_ok(),
        Needs::Parent => path.parent().is_some_and(|p| std::fs::metadata(p).is_ok()),
        Needs::Source { dirfd, path: at } => at_path(tid, dirfd.map(|d| args[d]), args[at])
            .is_some_and(|s| std::fs::symlink_metadata(s).is_ok()),
    }
}

/// The thread group (process id) of thread `tid`.
fn thread_group(tid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

fn read_remote(tid: u32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` covers `buf`, which we own; the remote side is
    // checked by the kernel (EFAULT), never touched by us.
    let n = unsafe { libc::process_vm_readv(tid as libc::pid_t, &local, 1, &remote, 1, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

fn read_u64(tid: u32, addr: u64) -> io::Result<u64> {
    let mut b = [0u8; 8];
    match read_remote(tid, addr, &mut b)? {
        8 => Ok(u64::from_ne_bytes(b)),
        _ => Err(io::Error::from_raw_os_error(libc::EFAULT)),
    }
}

/// A NUL-terminated string of at most PATH_MAX bytes from the child,
/// read a page at a time (a read across into an unmapped page would fail
/// as a whole).
fn read_c_string(tid: u32, mut addr: u64) -> io::Result<Vec<u8>> {
    const PAGE: u64 = 4096;
    let mut out = Vec::new();
    let mut buf = [0u8; PAGE as usize];
    while out.len() < libc::PATH_MAX as usize {
        let chunk = (PAGE - addr % PAGE) as usize;
        let n = read_remote(tid, addr, &mut buf[..chunk])?;
        if n == 0 {
            break;
        }
        if let Some(z) = buf[..n].iter().position(|&b| b == 0) {
            out.extend_from_slice(&buf[..z]);
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
        addr += n as u64;
    }
    Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG))
}
