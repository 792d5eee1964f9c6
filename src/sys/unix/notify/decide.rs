//! Turning one notification into the plan's answer: decode the call, tell
//! the spawn from the program's own calls, read its path from the caller,
//! skip what the kernel would refuse at lookup, and consult the plan only
//! if the notification is still pending. Every way out before the plan is
//! "continue": a call this can't make sense of runs as if unwatched, and
//! the plan's counters see only calls that really reach the kernel's work.

use super::callers::Callers;
use super::child_memory::read_u64;
use super::filter;
use super::remote_path::{kernel_gets_past_lookup, target_path};
use crate::classify::Op;
use crate::fault::{ChildCall, Shared, Verdict};

/// Where the tree's direct child is, as of this call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stage {
    /// Still inside the spawn, before its first exec has succeeded: its
    /// exec is the spawn, and any other call it makes is std's own
    /// machinery, never the program's. `counted`: this process's spawn
    /// gate consulted the plan for it already, so the exec is not counted
    /// twice.
    Spawning { counted: bool },
    /// Running the program (or any process of the tree but the first).
    Running,
}

pub(super) enum Answer {
    Continue,
    /// The notification is no longer valid: nobody to answer.
    Gone,
    Verdict(Verdict),
}

/// The answer to notification `n`. `still_pending` is asked last, after the
/// caller's memory and /proc were read, just before the plan counts it.
/// `thread`: the call is this process's, made by that thread (a kernel
/// plan on a thread: the thread's own call, or its spawn's exec), recorded
/// as this process's call; `None`: a child's, by the calling thread.
pub(super) fn decide(
    n: &libc::seccomp_notif,
    stage: Stage,
    callers: &mut Callers,
    plan: &Shared,
    thread: Option<u32>,
    still_pending: impl FnOnce() -> bool,
) -> Answer {
    let Some(mut call) = filter::decode(n.data.nr, &n.data.args) else {
        return Answer::Continue;
    };
    if let Stage::Spawning { counted } = stage {
        if call.op != Op::Exec || counted {
            return Answer::Continue;
        }
        // Each PATH candidate of std's execvp comes here.
        call.op = Op::Spawn;
    }
    let tid = n.pid;
    let caller = callers.get(tid);
    if caller.exempt {
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
    if !still_pending() {
        return Answer::Gone;
    }
    Answer::Verdict(plan.consult_child(&ChildCall {
        op: call.op,
        path: &path,
        pid: caller.pid,
        exe: &caller.exe,
        tid: thread.unwrap_or(tid),
        own_thread: thread.is_some(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::{FaultGuard, FaultPlan};
    use std::ffi::{CStr, CString};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    /// A notification of call `nr` made by this process's main thread.
    fn notif(nr: libc::c_long, args: [u64; 6]) -> libc::seccomp_notif {
        libc::seccomp_notif {
            id: 1,
            pid: std::process::id(),
            flags: 0,
            data: libc::seccomp_data {
                nr: nr as i32,
                arch: 0,
                instruction_pointer: 0,
                args,
            },
        }
    }

    fn c(p: &Path) -> CString {
        CString::new(p.as_os_str().as_bytes()).unwrap()
    }

    fn addr(s: &CStr) -> u64 {
        s.as_ptr() as u64
    }

    const CWD: u64 = libc::AT_FDCWD as i64 as u64;

    fn plan(text: &str) -> FaultGuard {
        FaultPlan::parse(text).unwrap().activate()
    }

    fn run(g: &FaultGuard, n: &libc::seccomp_notif, stage: Stage) -> Option<Verdict> {
        let mut callers = Callers::default();
        match decide(n, stage, &mut callers, g.shared(), None, || true) {
            Answer::Verdict(v) => Some(v),
            Answer::Continue => None,
            Answer::Gone => panic!("gone while still pending"),
        }
    }

    #[test]
    fn an_open_gets_the_plans_fault_on_its_resolved_path_and_names_its_process() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("target"), b"").unwrap();
        let written = c(&dir.path().join("sub/../target"));
        let n = notif(libc::SYS_openat, [CWD, addr(&written), 0, 0, 0, 0]);
        let g = plan("open(*/target)=EACCES");
        let v = run(&g, &n, Stage::Running).unwrap();
        assert_eq!(v.fail, Some(libc::EACCES));
        let calls = g.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].op, Op::Open);
        assert_eq!(calls[0].path, dir.path().join("target"));
        assert_eq!(calls[0].pid, std::process::id());
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        assert_eq!(calls[0].exe.as_deref(), Some(exe.as_path()));
    }

    #[test]
    fn a_call_the_kernel_would_refuse_at_lookup_is_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let missing = c(&dir.path().join("missing"));
        let n = notif(libc::SYS_openat, [CWD, addr(&missing), 0, 0, 0, 0]);
        let g = plan("open=EACCES");
        assert_eq!(run(&g, &n, Stage::Running), None);
        assert_eq!(g.attempts(Op::Open, "*"), 0);
    }

    #[test]
    fn a_withdrawn_notification_is_gone_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let p = c(dir.path());
        let n = notif(libc::SYS_openat, [CWD, addr(&p), 0, 0, 0, 0]);
        let g = plan("open=EACCES");
        let mut callers = Callers::default();
        let a = decide(&n, Stage::Running, &mut callers, g.shared(), None, || false);
        assert!(matches!(a, Answer::Gone));
        assert_eq!(g.attempts(Op::Open, "*"), 0);
    }

    #[test]
    fn before_the_first_exec_only_the_exec_counts_and_as_the_spawn() {
        let sh = c(Path::new("/bin/sh"));
        let exec = notif(libc::SYS_execve, [addr(&sh), 0, 0, 0, 0, 0]);
        let open = notif(libc::SYS_openat, [CWD, addr(&sh), 0, 0, 0, 0]);
        let g = plan("");
        let spawning = Stage::Spawning { counted: false };
        assert_eq!(run(&g, &open, spawning), None);
        assert!(run(&g, &exec, spawning).is_some());
        // Counted by this process's spawn gate: not again.
        assert_eq!(run(&g, &exec, Stage::Spawning { counted: true }), None);
        assert!(run(&g, &exec, Stage::Running).is_some());
        assert!(run(&g, &open, Stage::Running).is_some());
        let ops: Vec<Op> = g.calls().iter().map(|c| c.op).collect();
        assert_eq!(ops, [Op::Spawn, Op::Exec, Op::Open]);
    }

    #[test]
    fn openat2_is_told_apart_by_the_flags_in_its_open_how() {
        let dir = tempfile::tempdir().unwrap();
        let new = c(&dir.path().join("new"));
        // struct open_how starts with its u64 flags.
        let how: [u64; 3] = [(libc::O_WRONLY | libc::O_CREAT) as u64, 0o644, 0];
        let n = notif(
            libc::SYS_openat2,
            [CWD, addr(&new), how.as_ptr() as u64, 24, 0, 0],
        );
        let g = plan("open_write=ENOSPC");
        assert_eq!(
            run(&g, &n, Stage::Running).unwrap().fail,
            Some(libc::ENOSPC)
        );
        // An open_how it can't read: no decision, the call runs.
        let unreadable = notif(libc::SYS_openat2, [CWD, addr(&new), 0, 24, 0, 0]);
        assert_eq!(run(&g, &unreadable, Stage::Running), None);
        assert_eq!(g.attempts(Op::OpenWrite, "*"), 1);
    }
}
