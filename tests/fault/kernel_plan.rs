//! Kernel-enforced plans on a thread of the test process: plain `std::fs`
//! meets the plan, each thread's plan stays its own, children keep their
//! plans through the thread's listener, and nothing deadlocks when a
//! handed-over call is held (the four cases). Each test runs on a
//! thread libtest made for it; the tests that need more start their own.
#![cfg(target_os = "linux")]

use std::io::{ErrorKind, Write};
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use flakeproof::Op;
use flakeproof::fault::{FaultGuard, FaultPlan};
use flakeproof::process::ChildFaultsExt;

/// Activate `text` in the kernel on this thread, or skip (with the reason)
/// where this machine can't.
fn kernel(text: &str) -> Option<FaultGuard> {
    match FaultPlan::parse(text).unwrap().activate_in_kernel() {
        Ok(g) => Some(g),
        Err(e) if e.kind() == ErrorKind::Unsupported => {
            crate::common::skip("seccomp", &e.to_string());
            None
        }
        Err(e) => panic!("activate_in_kernel: {e}"),
    }
}

fn gettid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Wait until thread `tid` of this process is stopped in system call
/// `nr` (what `/proc/self/task/TID/syscall` shows while it is held). No
/// timer races the scheduler: the bound only ends a broken test.
fn wait_in_syscall(tid: u32, nr: libc::c_long) {
    let path = format!("/proc/self/task/{tid}/syscall");
    for _ in 0..20_000 {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.split_whitespace().next() == Some(&nr.to_string()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("thread {tid} never entered system call {nr}");
}

#[test]
fn plain_std_fs_meets_the_plan_and_the_record_names_the_thread() {
    let dir = tempfile::tempdir().unwrap();
    let (tmp, config) = (
        dir.path().join("config.tmp"),
        dir.path().join("config.toml"),
    );
    let Some(guard) = kernel("rename(*/config.toml)=EIO@1") else {
        return;
    };
    std::fs::write(&tmp, "x").unwrap();
    let e = std::fs::rename(&tmp, &config).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EIO));
    std::fs::rename(&tmp, &config).unwrap(); // @1: the second passes
    let calls = guard.calls();
    let renames: Vec<_> = calls.iter().filter(|c| c.op == Op::Rename).collect();
    assert_eq!(renames.len(), 2, "{calls:?}");
    assert!(renames[0].injected() && !renames[1].injected());
    assert_eq!(renames[0].tid, Some(gettid()));
    assert_eq!(renames[0].pid, std::process::id());
    assert_eq!(renames[0].exe, None, "this process's own call");
    assert_eq!(renames[0].path, config.canonicalize().unwrap());
    drop(guard);
    // The filter stays for the thread's life; the plan has ended.
    std::fs::rename(&config, &tmp).unwrap();
}

#[test]
fn a_call_through_flakeproof_fs_is_counted_once_not_again_by_the_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let Some(guard) = kernel("create_dir=EACCES@2") else {
        return;
    };
    flakeproof::fs::create_dir(dir.path().join("a")).unwrap();
    let e = std::fs::create_dir(dir.path().join("b")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EACCES)); // the 2nd, counted by the kernel
    assert_eq!(guard.attempts(Op::CreateDir, "*"), 2, "{:?}", guard.calls());
    let tids: Vec<_> = guard.calls().iter().map(|c| c.tid).collect();
    assert_eq!(
        tids,
        [None, Some(gettid())],
        "the gate's, then the kernel's"
    );
}

#[test]
fn two_threads_with_their_own_kernel_plans_never_see_each_others_faults() {
    let both = Arc::new(Barrier::new(2));
    let run = |errno: i32| {
        let both = both.clone();
        std::thread::spawn(move || {
            let dir = tempfile::tempdir().unwrap();
            let text = format!(
                "create_dir={}",
                if errno == libc::EIO { "EIO" } else { "ENOSPC" }
            );
            let guard = kernel(&text)?;
            both.wait(); // both plans active at once from here
            let mut seen = Vec::new();
            for i in 0..200 {
                let e = std::fs::create_dir(dir.path().join(i.to_string())).unwrap_err();
                seen.push(e.raw_os_error().unwrap());
            }
            Some((seen, guard.attempts(Op::CreateDir, "*")))
        })
    };
    let (a, b) = (run(libc::EIO), run(libc::ENOSPC));
    let (Some(a), Some(b)) = (a.join().unwrap(), b.join().unwrap()) else {
        return;
    };
    assert!(a.0.iter().all(|&e| e == libc::EIO), "{:?}", a.0);
    assert!(b.0.iter().all(|&e| e == libc::ENOSPC), "{:?}", b.0);
    assert_eq!(
        (a.1, b.1),
        (200, 200),
        "each plan counted its own thread's calls only"
    );
}

#[test]
fn a_thread_started_from_the_plans_thread_counts_only_once_it_enters() {
    let dir = tempfile::tempdir().unwrap();
    let Some(guard) = kernel("create_dir=EROFS") else {
        return;
    };
    let (scope, d) = (guard.scope(), dir.path().to_owned());
    let (outside, inside) = std::thread::spawn(move || {
        let outside = std::fs::create_dir(d.join("outside"));
        let _in = scope.enter();
        (outside, std::fs::create_dir(d.join("inside")))
    })
    .join()
    .unwrap();
    outside.unwrap();
    assert_eq!(inside.unwrap_err().raw_os_error(), Some(libc::EROFS));
    assert_eq!(guard.attempts(Op::CreateDir, "*"), 1);
}

#[test]
fn a_second_kernel_plan_on_a_thread_reuses_its_filter_and_refuses_other_calls() {
    std::thread::spawn(|| {
        let Some(first) = kernel("create_dir=EIO") else {
            return;
        };
        drop(first);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("free")).unwrap(); // ended: passes
        let again = kernel("create_dir(*/x)=EPERM").unwrap();
        let e = std::fs::create_dir(dir.path().join("x")).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EPERM));
        drop(again);
        let other = FaultPlan::parse("rename=EIO").unwrap().activate_in_kernel();
        let e = other.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.to_string().contains("rename"), "{e}");
    })
    .join()
    .unwrap();
}

#[test]
fn a_thread_started_under_a_kernel_plan_uses_the_filter_it_inherited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    std::fs::write(d.join("a"), "x").unwrap();
    let Some(outer) = kernel("rename(*/never)=EIO") else {
        return;
    };
    let inner_dir = d.clone();
    let (inner_calls, shield) = std::thread::spawn(move || {
        // It carries the outer thread's filter: the kernel would refuse it
        // a second listener, so its own plan goes through that one.
        let inner = kernel("rename(*/b)=EBUSY").expect("a plan on the inherited filter");
        let e = std::fs::rename(inner_dir.join("a"), inner_dir.join("b")).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EBUSY));
        // Its children too: faults(&guard) goes through the same listener.
        let mut mv = std::process::Command::new("mv");
        mv.args(["a", "b"]).current_dir(&inner_dir);
        mv.faults(&inner).unwrap();
        assert!(!mv.output().unwrap().status.success());
        use flakeproof::shield::{Shield, ShieldExt};
        let mut sh = std::process::Command::new("true");
        let shield = sh.shield(&Shield::new()).map(drop);
        (inner.calls(), shield.unwrap_err())
    })
    .join()
    .unwrap();
    assert_eq!(
        inner_calls.iter().filter(|c| c.injected()).count(),
        2,
        "{inner_calls:?}"
    );
    assert_eq!(
        outer.attempts(Op::Rename, "*"),
        0,
        "the outer plan saw none of it"
    );
    assert_eq!(shield.kind(), ErrorKind::Unsupported);
    assert!(
        shield.to_string().contains("carries a kernel plan"),
        "{shield}"
    );
}

#[test]
fn a_child_with_the_plan_attached_counts_into_the_same_record_and_others_pass() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    std::fs::write(d.join("a"), "x").unwrap();
    std::fs::write(d.join("c"), "x").unwrap();
    let Some(guard) = kernel("rename(*/b)=EBUSY; rename(*/d)=EBUSY") else {
        return;
    };
    // Without the plan attached: the child carries the thread's filter but
    // passes uncounted.
    let plain = std::process::Command::new("mv")
        .args(["c", "d"])
        .current_dir(&d)
        .status()
        .unwrap();
    assert!(plain.success() && d.join("d").exists());
    let mut mv = std::process::Command::new("mv");
    mv.args(["a", "b"]).current_dir(&d);
    mv.faults(&guard).unwrap();
    let out = mv.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("busy"));
    // This thread's own call, into the same record.
    let e = std::fs::rename(d.join("a"), d.join("b")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EBUSY));
    let injected: Vec<_> = guard.calls().into_iter().filter(|c| c.injected()).collect();
    assert_eq!(injected.len(), 2, "{:?}", guard.calls());
    assert!(injected[0].exe.as_ref().unwrap().ends_with("mv"));
    assert_ne!(injected[0].pid, std::process::id());
    assert_eq!(injected[1].pid, std::process::id());
    assert_eq!(injected[1].tid, Some(gettid()));
}

#[test]
fn std_spawns_on_the_thread_meet_a_spawn_rule_and_flakeproofs_count_once() {
    let Some(guard) = kernel("spawn=ETXTBSY@1") else {
        return;
    };
    let e = std::process::Command::new("true").status().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ETXTBSY));
    assert!(
        std::process::Command::new("true")
            .status()
            .unwrap()
            .success()
    );
    // Counted by flakeproof's gate; the kernel doesn't count its exec again.
    let fp = flakeproof::process::Command::new("true").status().unwrap();
    assert!(fp.success());
    // A thread started here that didn't enter: its spawns pass uncounted.
    std::thread::spawn(|| std::process::Command::new("true").status().unwrap())
        .join()
        .unwrap();
    let spawns: Vec<_> = guard
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Spawn)
        .collect();
    let tids: Vec<_> = spawns.iter().map(|c| c.tid).collect();
    let me = Some(gettid());
    assert_eq!(tids, [me, me, None], "{spawns:?}");
    assert!(spawns[0].injected() && spawns[0].path.ends_with("true"));
    assert!(
        spawns
            .iter()
            .all(|c| c.pid == std::process::id() && c.exe.is_none())
    );
}

#[test]
fn a_child_plan_naming_calls_the_threads_filter_lacks_is_refused() {
    let Some(guard) = kernel("create_dir=EIO") else {
        return;
    };
    let other = FaultPlan::parse("rename=EIO").unwrap().activate();
    let mut mv = std::process::Command::new("true");
    let e = mv.faults(&other).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("rename"), "{e}");
    drop((other, guard));
}

#[test]
fn a_command_attached_here_but_spawned_from_an_unfiltered_thread_still_meets_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    std::fs::write(d.join("a"), "x").unwrap();
    // Started before any filter: it carries none, so its child installs
    // its own, where a child of the plan's thread announces itself.
    let (tx, rx) = std::sync::mpsc::channel::<std::process::Command>();
    let elsewhere = std::thread::spawn(move || rx.recv().unwrap().output().unwrap());
    let Some(guard) = kernel("rename(*/b)=EBUSY") else {
        drop(tx);
        let _ = elsewhere.join();
        return;
    };
    let mut mv = std::process::Command::new("mv");
    mv.args(["a", "b"]).current_dir(&d);
    mv.faults(&guard).unwrap();
    tx.send(mv).unwrap();
    let out = elsewhere.join().unwrap();
    assert!(!out.status.success(), "mv was not under the plan");
    assert_eq!(guard.injected(Op::Rename, "*"), 1);
}

#[test]
fn the_guards_end_stops_a_childs_whole_tree_whatever_the_plan_says_about_proc() {
    use std::io::BufRead;
    // The end walks /proc/PID/task/TID/children to find the grandchild:
    // that walk is the test's own, not the code under test's.
    let Some(guard) = kernel("open(*/children)=EIO") else {
        return;
    };
    let mut sh = std::process::Command::new("/bin/sh");
    sh.args(["-c", "sleep 600 & echo $!; exec sleep 600"]);
    sh.stdout(std::process::Stdio::piped());
    sh.faults(&guard).unwrap();
    let mut sh = sh.spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(sh.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let grandchild: i32 = line.trim().parse().unwrap();
    // SAFETY: pidfd_open takes integers; the grandchild is alive (its
    // parent waits in its exec'd sleep).
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, grandchild, 0) } as i32;
    assert!(pidfd >= 0);
    let own_before = guard
        .calls()
        .iter()
        .filter(|c| c.pid == std::process::id())
        .count();
    let scope = guard.scope();
    drop(guard);
    sh.wait().unwrap();
    // Not our child: its pidfd turns readable when it exits. The bound only
    // ends a broken test.
    let mut p = libc::pollfd {
        fd: pidfd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let exited = unsafe { libc::poll(&mut p, 1, 30_000) } == 1;
    if !exited {
        // SAFETY: kill with integers, to clean up after a failure.
        unsafe { libc::kill(grandchild, libc::SIGKILL) };
    }
    assert!(exited, "the grandchild outlived its plan");
    let own_after = scope
        .calls()
        .iter()
        .filter(|c| c.pid == std::process::id())
        .count();
    assert_eq!(
        own_before,
        own_after,
        "the end's walk was recorded: {:?}",
        scope.calls()
    );
}

#[test]
fn dropping_the_guard_while_attached_children_announce_themselves_deadlocks_nothing() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    // The end walks /proc (opens the plan watches) while a thread carrying
    // the filter keeps spawning an attached command, whose children the
    // supervisor registers: neither may wait on the other (the end once
    // held the kill list's lock through its walk, and hung here).
    for _ in 0..5 {
        let Some(guard) = kernel("open(*/nomatch)=EIO") else {
            return;
        };
        let mut sleeper = std::process::Command::new("/bin/sh");
        // Many descendants: a long walk, for announcements to land in.
        sleeper.args([
            "-c",
            "for i in $(seq 60); do sleep 600 & done; echo started; wait",
        ]);
        sleeper.stdout(std::process::Stdio::piped());
        sleeper.faults(&guard).unwrap();
        let mut sleeper = sleeper.spawn().unwrap();
        let mut started = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(sleeper.stdout.take().unwrap())
            .read_line(&mut started)
            .unwrap();
        let mut again = std::process::Command::new("true");
        again.faults(&guard).unwrap();
        let (stop, spawned) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicUsize::new(0)),
        );
        let (s, n) = (stop.clone(), spawned.clone());
        let spinner = std::thread::spawn(move || {
            while !s.load(SeqCst) {
                let _ = again.status();
                n.fetch_add(1, SeqCst);
            }
        });
        while spawned.load(SeqCst) < 3 {
            std::thread::yield_now();
        }
        drop(guard);
        stop.store(true, SeqCst);
        spinner.join().unwrap();
        let _ = sleeper.wait();
    }
}

#[test]
fn rules_the_kernel_cannot_watch_are_refused_not_silently_unreached() {
    let e = FaultPlan::parse("metadata(*/cfg)=EIO")
        .unwrap()
        .activate_in_kernel()
        .map(drop)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("metadata"), "{e}");
}

#[test]
fn an_ordinary_plan_above_a_kernel_plan_is_the_one_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let Some(outer) = kernel("create_dir=EIO") else {
        return;
    };
    let inner = FaultPlan::parse("create_dir=ENOSPC").unwrap().activate();
    let e = flakeproof::fs::create_dir(dir.path().join("a")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
    // std's call: the inner plan doesn't reach it, and the kernel plan
    // below it is not in force.
    std::fs::create_dir(dir.path().join("b")).unwrap();
    drop(inner);
    let e = std::fs::create_dir(dir.path().join("c")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EIO));
    assert_eq!(outer.attempts(Op::CreateDir, "*"), 1);
}

// ---- Deadlocks: the four cases ----

/// Start a thread that enters `guard`'s plan and writes `path` (which the
/// plan delays); returns once the write is held in the kernel, with the
/// writer's thread id.
fn held_writer(
    guard: &FaultGuard,
    path: &Path,
) -> (std::thread::JoinHandle<std::io::Result<()>>, u32) {
    let (scope, path) = (guard.scope(), path.to_owned());
    let (tx, rx) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let _in = scope.enter();
        let mut f = std::fs::File::create(&path)?;
        tx.send(gettid()).unwrap();
        f.write_all(b"done")
    });
    let tid = rx.recv().unwrap();
    wait_in_syscall(tid, libc::SYS_write);
    (writer, tid)
}

/// Is thread `tid` of this process in system call `nr` now?
fn in_syscall(tid: u32, nr: libc::c_long) -> bool {
    let text =
        std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).unwrap_or_default();
    text.split_whitespace().next() == Some(&nr.to_string())
}

/// Run a held-call case with the hold's delay in ms, doubling from 100 ms
/// until the case saw the call still held when it acted (it returns that;
/// `None`: skipped). No timer has to beat the scheduler: a run where the
/// hold ended first tested nothing and is run again with a longer one.
fn while_held(mut case: impl FnMut(u64) -> Option<bool>) {
    let mut ms = 100;
    for _ in 0..7 {
        match case(ms) {
            None | Some(true) => return,
            Some(false) => ms *= 2,
        }
    }
    panic!("the call was never still held when the case acted (up to {ms} ms)");
}

#[test]
fn a_held_write_while_another_thread_prints_deadlocks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let held = dir.path().join("held");
    while_held(|ms| {
        // Every write is handed over: this thread's prints too.
        let guard = kernel(&format!("write(*/held)=delay({ms}ms)"))?;
        let (writer, tid) = held_writer(&guard, &held);
        // This thread is under the plan as well: its writes to stdout go to
        // the supervisor while the other write is held, and must be
        // answered before that one is (checked below).
        std::io::stdout()
            .lock()
            .write_all(b"kernel plan: printing while a write is held\n")
            .unwrap();
        let still = in_syscall(tid, libc::SYS_write);
        writer.join().unwrap().unwrap();
        assert_eq!(std::fs::read(&held).unwrap(), b"done");
        Some(still)
    });
}

#[test]
fn a_write_held_by_stdouts_lock_holder_is_answered_while_others_wait_on_the_lock() {
    // The holder of stdout's lock is stopped in its handed-over write; the
    // test thread then waits on that lock. The supervisor must need neither.
    let Some(guard) = kernel("write=delay(30ms)") else {
        return;
    };
    let scope = guard.scope();
    let printer = std::thread::spawn(move || {
        let _in = scope.enter();
        let mut out = std::io::stdout().lock();
        for _ in 0..3 {
            out.write_all(b"kernel plan: a held write under stdout's lock\n")?;
            out.flush()?;
        }
        Ok::<(), std::io::Error>(())
    });
    for _ in 0..3 {
        let mut out = std::io::stdout().lock();
        out.write_all(b"kernel plan: waiting on stdout's lock\n")
            .unwrap();
        out.flush().unwrap();
    }
    printer.join().unwrap().unwrap();
    assert!(guard.attempts(Op::Write, "*") >= 6);
}

#[test]
fn a_panic_in_the_test_while_a_call_is_held_ends_the_plan_and_the_call_completes() {
    let dir = tempfile::tempdir().unwrap();
    let held = dir.path().join("held");
    while_held(|ms| {
        let guard = kernel(&format!("write(*/held)=delay({ms}ms)"))?;
        let (writer, tid) = held_writer(&guard, &held);
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _guard = guard; // dropped by the unwinding
            panic!("the test failed while a write was held");
        }));
        assert!(panicked.is_err());
        let still = in_syscall(tid, libc::SYS_write);
        writer.join().unwrap().unwrap();
        assert_eq!(std::fs::read(&held).unwrap(), b"done");
        Some(still)
    });
}

#[test]
fn the_guard_dropped_while_another_thread_is_in_a_held_call_lets_it_finish() {
    let dir = tempfile::tempdir().unwrap();
    let held = dir.path().join("held");
    while_held(|ms| {
        let guard = kernel(&format!("write(*/held)=delay({ms}ms); create_dir=EIO"))?;
        let (writer, tid) = held_writer(&guard, &held);
        drop(guard);
        let still = in_syscall(tid, libc::SYS_write);
        writer.join().unwrap().unwrap();
        assert_eq!(std::fs::read(&held).unwrap(), b"done");
        // Ended: this thread's calls pass, uncounted, through the filter.
        let after = dir.path().join("after");
        let _ = std::fs::remove_dir(&after);
        std::fs::create_dir(&after).unwrap();
        Some(still)
    });
}
