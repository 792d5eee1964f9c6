//! Fault plans inside real, unmodified child processes (seccomp user
//! notification): the issue's "done when" list, against `mv`, `sh`, `rm`,
//! `sleep` and a statically linked program built here.
#![cfg(target_os = "linux")]

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use flakeproof::Op;
use flakeproof::fault::{FaultGuard, FaultPlan, Outcome};
use flakeproof::process::{ChildFaultsExt, Command};

/// Attach `guard`'s plan to `cmd`, or say why this machine can't and skip.
fn attach<'c, C: ChildFaultsExt>(cmd: &'c mut C, guard: &FaultGuard) -> Option<&'c mut C> {
    match cmd.faults(guard) {
        Ok(c) => Some(c),
        Err(e) if e.kind() == ErrorKind::Unsupported => {
            crate::common::skip("seccomp", &e.to_string());
            None
        }
        Err(e) => panic!("attaching the plan failed: {e}"),
    }
}

fn plan(text: &str) -> FaultGuard {
    FaultPlan::parse(text).unwrap().activate()
}

#[test]
fn a_real_mv_fails_its_rename_once_with_ebusy_and_the_record_names_its_pid() {
    let dir = tempfile::tempdir().unwrap();
    // The supervisor resolves against the child's cwd as /proc shows it:
    // symlinks (a TMPDIR that is one) resolved.
    let target = dir.path().canonicalize().unwrap().join("target");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("a"), "x").unwrap();
    let guard = plan("rename(*/target/*)=EBUSY@1");
    let mut mv = Command::new("mv");
    mv.args(["target/a", "target/b"]).current_dir(dir.path());
    let mv = match mv.faults(&guard) {
        Ok(mv) => mv,
        Err(e) => return crate::common::skip("seccomp", &e.to_string()),
    };
    let child = mv.stderr(std::process::Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Device or resource busy"), "{stderr}");
    assert!(target.join("a").exists() && !target.join("b").exists());

    let injected: Vec<_> = guard.calls().into_iter().filter(|c| c.injected()).collect();
    assert_eq!(injected.len(), 1, "{:?}", guard.calls());
    let call = &injected[0];
    assert_eq!(call.op, Op::Rename);
    assert_eq!(call.path, target.join("b"), "resolved against mv's cwd");
    assert_eq!(call.pid, pid);
    assert!(call.exe.as_ref().unwrap().ends_with("mv"), "{:?}", call.exe);
    assert_eq!(
        call.outcome,
        Outcome::Injected {
            raw_os_error: libc::EBUSY,
            delayed: Default::default()
        }
    );
    // The spawn, counted here and only here.
    assert_eq!(guard.attempts(Op::Spawn, "*"), 1);

    // The second rename passes: the plan said @1.
    assert!(
        mv.stderr(std::process::Stdio::inherit())
            .status()
            .unwrap()
            .success()
    );
    assert!(target.join("b").exists());
    assert_eq!(guard.injected(Op::Rename, "*"), 1);
    // One rename per mv, or two where the filesystem refuses
    // RENAME_NOREPLACE and mv falls back (bindfs: EINVAL, then renameat).
    let renames = guard.attempts(Op::Rename, "*/target/*");
    assert!((2..=3).contains(&renames), "{:?}", guard.calls());
}

#[test]
fn a_sh_grandchilds_exec_of_a_stub_fails_twice_then_runs() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let stub =
        flakeproof::install_executable_stub(dir.path(), "stub", "#!/bin/sh\nexit 0\n").unwrap();
    let guard = plan("spawn(*/stub)=ETXTBSY@1..2");
    let mut sh = StdCommand::new("sh");
    sh.arg("-c")
        .arg(r#""$0"; echo "1:$?"; "$0"; echo "2:$?"; "$0"; echo "3:$?""#)
        .arg(&stub);
    let Some(sh) = attach(&mut sh, &guard) else {
        return;
    };
    let child = sh
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let sh_pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_ne!(lines[0], "1:0", "first exec should have failed: {stdout}");
    assert_ne!(lines[1], "2:0", "second exec should have failed: {stdout}");
    assert_eq!(lines[2], "3:0", "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Text file busy"));

    // Three execs of the stub, each by a forked grandchild; the spawn of sh
    // itself is the first exec of the tree, counted as a spawn of /bin/sh.
    let execs: Vec<_> = guard
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Exec)
        .collect();
    assert_eq!(execs.len(), 3, "{:?}", guard.calls());
    assert!(execs.iter().all(|c| c.path == stub && c.pid != sh_pid));
    assert_eq!(execs.iter().filter(|c| c.injected()).count(), 2);
    assert_eq!(guard.injected(Op::Spawn, "*/stub"), 2);
    assert_eq!(guard.injected(Op::Exec, "*/stub"), 2);
    assert_eq!(guard.attempts(Op::Spawn, "*/sh"), 1);
}

/// Build a statically linked `rename(argv[1], argv[2])` with the C
/// compiler; `None` (after saying so) if this machine can't.
fn static_renamer(dir: &Path) -> Option<PathBuf> {
    let src = dir.join("renamer.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(int c, char **v) { if (rename(v[1], v[2])) { perror(\"rename\"); return 1; } return 0; }\n",
    )
    .unwrap();
    let exe = dir.join("renamer");
    let built = StdCommand::new("cc")
        .args(["-static", "-O1", "-o"])
        .arg(&exe)
        .arg(&src)
        .status();
    match built {
        Ok(s) if s.success() => Some(exe),
        other => {
            crate::common::skip("cc-static", &format!("cc -static failed: {other:?}"));
            None
        }
    }
}

#[test]
fn the_same_plan_reaches_a_statically_linked_program() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let Some(renamer) = static_renamer(dir.path()) else {
        return;
    };
    let target = dir.path().join("target");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("a"), "x").unwrap();
    let guard = plan("rename(*/target/*)=EBUSY@1");
    let mut cmd = Command::new(&renamer);
    cmd.arg(target.join("a")).arg(target.join("b"));
    let Ok(cmd) = cmd
        .faults(&guard)
        .map_err(|e| crate::common::skip("seccomp", &e.to_string()))
    else {
        return;
    };
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Device or resource busy"));
    let injected: Vec<_> = guard.calls().into_iter().filter(|c| c.injected()).collect();
    assert_eq!(injected.len(), 1);
    assert_eq!(injected[0].exe.as_deref(), Some(renamer.as_path()));
    assert!(cmd.output().unwrap().status.success());
    assert!(target.join("b").exists());
}

#[test]
fn two_tests_at_once_with_their_own_plans_never_see_each_others_faults() {
    let run = |failing: bool| {
        std::thread::spawn(move || {
            let dir = tempfile::tempdir().unwrap();
            let guard = plan(if failing {
                "remove_file=EBUSY"
            } else {
                "remove_file=delay(1ms)"
            });
            let mut results = Vec::new();
            for i in 0..20 {
                let f = dir.path().join(format!("f{i}"));
                std::fs::write(&f, "x").unwrap();
                let mut rm = StdCommand::new("rm");
                rm.arg(&f).stderr(std::process::Stdio::null());
                let rm = attach(&mut rm, &guard)?;
                results.push(rm.status().unwrap().success());
            }
            let pids: Vec<u32> = guard
                .calls()
                .iter()
                .filter(|c| c.exe.is_some())
                .map(|c| c.pid)
                .collect();
            Some((
                results,
                guard.injected(Op::RemoveFile, "*"),
                guard.attempts(Op::RemoveFile, "*"),
                pids,
            ))
        })
    };
    let (a, b) = (run(true), run(false));
    let (Some(a), Some(b)) = (a.join().unwrap(), b.join().unwrap()) else {
        return;
    };
    assert!(
        a.0.iter().all(|ok| !ok),
        "every rm under the failing plan fails"
    );
    assert!(b.0.iter().all(|ok| *ok), "no rm under the other plan fails");
    assert_eq!((a.1, a.2), (20, 20));
    assert_eq!((b.1, b.2), (0, 20));
    assert!(
        a.3.iter().all(|p| !b.3.contains(p)),
        "each record holds its own children"
    );
}

#[test]
fn calls_on_paths_that_do_not_exist_are_passed_to_the_kernel_uncounted() {
    // A PATH search execs every candidate until one exists. An ETXTBSY on
    // a missing candidate is an error the kernel never gives, and glibc's
    // execvp would stop the search there (exit 127).
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let stub = flakeproof::install_executable_stub(&bin, "stub", "#!/bin/sh\nexit 0\n").unwrap();
    let path = format!("{0}/no1:{0}/no2:{1}", dir.path().display(), bin.display());
    let guard = plan("spawn(*/stub)=ETXTBSY@1");
    let mut cmd = StdCommand::new("stub");
    cmd.env("PATH", &path);
    let Some(cmd) = attach(&mut cmd, &guard) else {
        return;
    };
    let e = cmd.status().unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ETXTBSY));
    let spawns: Vec<_> = guard
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Spawn)
        .collect();
    assert_eq!(
        spawns.len(),
        1,
        "only the candidate that exists: {spawns:?}"
    );
    assert_eq!(spawns[0].path, stub);
    assert!(cmd.status().unwrap().success());
    // A rename of a missing file: ENOENT from the kernel, not our EBUSY.
    let guard = plan("rename=EBUSY");
    let mut mv = StdCommand::new("mv");
    mv.arg(dir.path().join("missing")).arg(dir.path().join("x"));
    mv.stderr(std::process::Stdio::piped());
    let mv = attach(&mut mv, &guard).unwrap();
    let out = mv.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("No such file"));
    assert_eq!(guard.attempts(Op::Rename, "*"), 0);
}

#[test]
fn dropping_the_guard_kills_a_stuck_child_and_its_children() {
    let guard = plan("create_dir=EROFS");
    let mut sh = StdCommand::new("sh");
    // A child that would outlive the test: sh waits on a sleep of its own.
    sh.args(["-c", "sleep 1000; echo done"]);
    let Some(sh) = attach(&mut sh, &guard) else {
        return;
    };
    let mut child = sh.spawn().unwrap();
    // The sleep is sh's child: wait until /proc shows it.
    // (Deadlines here only turn a broken run into a failure, not a hang.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let children = format!("/proc/{0}/task/{0}/children", child.id());
    let comm = |p: &str| std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
    let sleep: libc::pid_t = loop {
        let c = std::fs::read_to_string(&children).unwrap_or_default();
        if let Some(p) = c.split_whitespace().find(|p| comm(p).trim() == "sleep") {
            break p.parse().unwrap();
        }
        assert!(child.try_wait().unwrap().is_none(), "sh ended early");
        assert!(
            std::time::Instant::now() < deadline,
            "sh never started its sleep"
        );
        std::thread::yield_now();
    };
    // A pidfd on the grandchild while it surely lives: readable once it
    // has exited, whoever reaps it.
    // SAFETY: pidfd_open with integers; the descriptor is owned below.
    let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, sleep, 0) } as i32;
    assert!(pidfd >= 0, "{}", std::io::Error::last_os_error());
    // SAFETY: a descriptor we just opened.
    let pidfd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(pidfd) };
    drop(guard);
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    // The grandchild was sent SIGKILL too: it exits (SIGKILL is delivered
    // asynchronously, so wait for the exit itself, not for a moment).
    let mut p = libc::pollfd {
        fd: std::os::fd::AsRawFd::as_raw_fd(&pidfd),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let ready = unsafe { libc::poll(&mut p, 1, 30_000) };
    assert_eq!(
        ready, 1,
        "the sleep still runs 30 s after the guard dropped"
    );
}

#[test]
fn a_delay_holds_the_child_and_then_lets_the_call_through() {
    let dir = tempfile::tempdir().unwrap();
    let guard = plan("create_dir(*/slow)=delay(30ms)");
    let mut mkdir = StdCommand::new("mkdir");
    mkdir.arg(dir.path().join("slow"));
    let Some(mkdir) = attach(&mut mkdir, &guard) else {
        return;
    };
    let t0 = std::time::Instant::now();
    assert!(mkdir.status().unwrap().success());
    // Held for the delay: a lower bound, which no load can break.
    assert!(t0.elapsed() >= std::time::Duration::from_millis(30));
    assert!(dir.path().join("slow").is_dir());
    let calls = guard.calls();
    let made: Vec<_> = calls.iter().filter(|c| c.op == Op::CreateDir).collect();
    assert_eq!(made.len(), 1);
    assert_eq!(
        made[0].outcome,
        Outcome::Delayed(std::time::Duration::from_millis(30))
    );
}

#[test]
fn per_process_counts_each_process_of_the_tree_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    // Three mkdir processes, each creating two directories: per=process
    // fails the first of each; per=tree would fail only the very first.
    let guard = plan("create_dir=EROFS@1/per=process");
    let mut sh = StdCommand::new("sh");
    sh.current_dir(dir.path()).args([
        "-c",
        "for i in 1 2 3; do mkdir a$i b$i 2>/dev/null; done; exit 0",
    ]);
    let Some(sh) = attach(&mut sh, &guard) else {
        return;
    };
    assert!(sh.status().unwrap().success());
    for i in 1..=3 {
        assert!(!dir.path().join(format!("a{i}")).exists(), "a{i}");
        assert!(dir.path().join(format!("b{i}")).exists(), "b{i}");
    }
    assert_eq!(guard.injected(Op::CreateDir, "*"), 3);
    assert_eq!(
        guard
            .calls()
            .iter()
            .filter(|c| c.op == Op::CreateDir)
            .filter(|c| c.exe.is_some())
            .map(|c| c.pid)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        3
    );
}

const CHILD_MODE: &str = "FLAKEPROOF_CHILD_FAULTS_MODE";

/// Run this test binary's ignored test `name` as a child, under `guard`.
fn this_binary(name: &str, mode: &str) -> StdCommand {
    let mut cmd = StdCommand::new(std::env::current_exe().unwrap());
    let name = format!("child_faults::{name}");
    cmd.args([
        "--ignored",
        "--exact",
        &name,
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_MODE, mode);
    cmd
}

extern "C" fn ignore_signal(_: libc::c_int) {}

/// The child of `a_signal_during_a_held_call_does_not_count_it_twice`: a
/// program whose signal handler restarts interrupted calls, as Go's
/// preemption signal does.
#[test]
#[ignore = "run as a child by a_signal_during_a_held_call_does_not_count_it_twice"]
fn child_renames_with_a_restarting_signal_handler() {
    let Ok(dir) = std::env::var(CHILD_MODE) else {
        return;
    };
    // SAFETY: a handler that does nothing, installed with SA_RESTART.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = ignore_signal as *const () as usize;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut());
    }
    let dir = Path::new(&dir);
    std::fs::rename(dir.join("from"), dir.join("to")).unwrap();
}

#[test]
fn a_signal_during_a_held_call_does_not_count_it_twice() {
    // Without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, a signal that reaches
    // the child while the supervisor holds its rename interrupts the call;
    // SA_RESTART makes the kernel restart it, and the supervisor would see
    // (and count) a second rename that the program made once.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("from"), "x").unwrap();
    let guard = plan("rename(*/to)=delay(1500ms)");
    let mut cmd = this_binary(
        "child_renames_with_a_restarting_signal_handler",
        &dir.path().to_string_lossy(),
    );
    cmd.stdout(std::process::Stdio::null());
    let Some(cmd) = attach(&mut cmd, &guard) else {
        return;
    };
    let mut child = cmd.spawn().unwrap();
    // The supervisor records the call before it starts the delay: from
    // then on the child is held in its rename.
    while guard.attempts(Op::Rename, "*") == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        std::thread::yield_now();
    }
    // To every thread: kill() would let the kernel pick one, likely an
    // idle one (libtest runs the test on a thread of its own), and the held
    // rename would never be interrupted.
    let pid = child.id();
    for _ in 0..50 {
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .flatten()
        {
            let tid: libc::pid_t = task.file_name().to_string_lossy().parse().unwrap();
            // SAFETY: tgkill with integers, on our own child, not yet reaped.
            unsafe { libc::syscall(libc::SYS_tgkill, pid as libc::pid_t, tid, libc::SIGUSR1) };
        }
    }
    assert!(child.wait().unwrap().success());
    assert!(dir.path().join("to").exists());
    assert_eq!(guard.attempts(Op::Rename, "*"), 1, "{:?}", guard.calls());
}

/// The child of `a_sandbox_that_holds_a_listener_already_gets_a_clear_error`.
#[test]
#[ignore = "run as a child by a_sandbox_that_holds_a_listener_already_gets_a_clear_error"]
fn child_attaches_a_plan_inside_a_plan() {
    if std::env::var_os(CHILD_MODE).is_none() {
        return;
    }
    let guard = plan("rename=EBUSY");
    let mut cmd = Command::new("true");
    match cmd.faults(&guard) {
        Ok(_) => println!("attached"),
        Err(e) => {
            // The OS error, kept whole as the source of the inner error.
            let os = e
                .get_ref()
                .and_then(|inner| inner.source())
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .and_then(|os| os.raw_os_error());
            println!("refused: {:?}: os={os:?}: {e}", e.kind());
        }
    }
}

#[test]
fn a_sandbox_that_holds_a_listener_already_gets_a_clear_error() {
    // Our own filter is such a sandbox: a child under a plan can't attach
    // a plan of its own (the kernel allows one listener per filter chain).
    let guard = plan("create_dir=EROFS");
    let mut cmd = this_binary("child_attaches_a_plan_inside_a_plan", "1");
    let Some(cmd) = attach(&mut cmd, &guard) else {
        return;
    };
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // libtest prints "test NAME ... " before the child's own line.
    let at = stdout
        .find("refused:")
        .or_else(|| stdout.find("attached"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let line = stdout[at..].lines().next().unwrap();
    assert!(line.starts_with("refused: Unsupported"), "{line}");
    assert!(
        line.contains(&format!("os=Some({})", libc::EBUSY)),
        "{line}"
    );
    // It names the outer owner, from the variable the outer plan set.
    assert!(
        line.contains(&format!(
            "flakeproof's child-plan {} (FLAKEPROOF_SECCOMP_OWNER)",
            std::process::id()
        )),
        "{line}"
    );

    // Without the variable (a supervisor that isn't flakeproof's, seen from
    // inside), the kernel's EBUSY still refuses, and the error says so.
    let mut cmd = this_binary("child_attaches_a_plan_inside_a_plan", "1");
    let cmd = attach(&mut cmd, &guard).unwrap();
    let out = cmd.env_remove("FLAKEPROOF_SECCOMP_OWNER").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = &stdout[stdout
        .find("refused:")
        .unwrap_or_else(|| panic!("{stdout}"))..];
    assert!(
        line.contains("another supervisor (not flakeproof's"),
        "{line}"
    );
}

#[test]
fn a_fake_command_in_a_child_tree_is_out_of_the_plans_reach() {
    // The plan is for the code under test; the fake's shim claims its
    // records with hard links (a rename, to a plan) and writes them.
    use flakeproof::fake::{FakeDir, Reply};
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(flakeproof::fake::ArgMatch::any())
        .reply(Reply::stdout("main\n"))
        .unwrap();
    // The `open` rule matches nothing: sh's own opens (its loader's)
    // consult it, which shows the plan sees the tree.
    let guard =
        plan("rename=EBUSY; open_write=EIO; write=EIO; create_dir=EROFS; open(*/nomatch)=EIO");
    let mut sh = StdCommand::new("sh");
    sh.args(["-c", "git rev-parse HEAD"])
        .env("PATH", fakes.path_env_prepended());
    let Some(sh) = attach(&mut sh, &guard) else {
        return;
    };
    let out = sh.stderr(std::process::Stdio::inherit()).output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, b"main\n");
    assert_eq!(git.calls().unwrap().len(), 1);
    // What was consulted: the execs, and sh's own opens; nothing of the
    // shim's.
    let bin = fakes.bin_dir();
    assert!(
        guard
            .calls()
            .iter()
            .all(|c| !c.injected() && c.exe.as_deref().is_none_or(|e| !e.starts_with(bin))),
        "{:?}",
        guard.calls()
    );
    // The plan did see the tree (sh's opens), so its absence from the
    // shim's calls is the exemption's doing (the test fails without it).
    assert!(guard.attempts(Op::Open, "*") > 0);
}

#[test]
fn a_spawn_from_a_thread_outside_the_plan_is_counted_by_the_childs_exec() {
    // The worker thread never entered the plan: the gate consults nothing
    // for its spawn, so the child's first exec is the plan's one chance to
    // count (and fail) it.
    let guard = plan("spawn(*/true)=ETXTBSY@1");
    let scope = guard.scope();
    let worker = std::thread::spawn(move || {
        let mut t = Command::new("true");
        match t.faults(&scope) {
            Ok(t) => Some((
                t.status().map_err(|e| e.raw_os_error()),
                t.status().map(|s| s.success()).ok(),
            )),
            Err(_) => None,
        }
    });
    let Some((first, second)) = worker.join().unwrap() else {
        return crate::common::skip("seccomp", "faults() refused");
    };
    assert_eq!(first.unwrap_err(), Some(libc::ETXTBSY));
    assert_eq!(second, Some(true));
    assert_eq!(guard.injected(Op::Spawn, "*/true"), 1);
}
