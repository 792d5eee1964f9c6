//! The shield: execs held while their file has a writer, in real,
//! unmodified process trees. Each race is set up deterministically (a
//! writer this test holds, a FIFO that tells a child when to go on), never
//! left to a timer.
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use flakeproof::fault::FaultPlan;
use flakeproof::process::ChildFaultsExt;
use flakeproof::shield::{Shield, ShieldExt};

/// Give `cmd` the shield, or say why this machine can't and skip.
fn shielded<'c>(cmd: &'c mut StdCommand, shield: &Shield) -> Option<&'c mut StdCommand> {
    match cmd.shield(shield) {
        Ok(c) => Some(c),
        Err(e) if e.kind() == ErrorKind::Unsupported => {
            crate::common::skip("seccomp", &e.to_string());
            None
        }
        Err(e) => panic!("shielding the command failed: {e}"),
    }
}

/// Can the shield ask about a file in `dir`? It needs a read lease (FUSE
/// and network filesystems grant none: there it lets execs go unchecked).
fn leases(dir: &Path) -> bool {
    let ok = crate::common::leases_work_in(dir);
    if !ok {
        crate::common::skip(
            "leases",
            &format!(
                "no read leases in {}: the shield can't see a writer there",
                dir.display()
            ),
        );
    }
    ok
}

/// A stub script at `dir/stub`, executable; its writer is returned open
/// (the race's inherited descriptor, held here for as long as a test
/// wants).
fn stub_with_writer(dir: &Path) -> (PathBuf, File) {
    let path = dir.join("stub");
    let mut w = File::create(&path).unwrap();
    // flakeproof: allow(shell-script-stub) the race's own stub: its writer stays open on purpose
    w.write_all(b"#!/bin/sh\necho stub ran\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    (path, w)
}

/// Wait until `shield` holds `n` execs; the child must not end first.
fn until_held(shield: &Shield, n: u64, child: &mut std::process::Child) {
    let give_up = Instant::now() + Duration::from_secs(30);
    while shield.report().held < n {
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        assert!(
            Instant::now() < give_up,
            "never held: {:?}",
            shield.report()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The script: the writer (fd 3) is inherited by a background subshell
/// that waits on a FIFO and then execs `/bin/true` (still holding fd 3
/// until it exits); meanwhile the script runs the stub. The storm's shape:
/// the writer is a forked child on its way to its own exec.
const SUBSHELL_HOLDS_THE_WRITER: &str = r#"
exec 3>"$1"
printf '#!/bin/sh\necho stub ran\n' >&3
chmod +x "$1"
( read _ < "$2"; exec /bin/true ) >/dev/null 2>&1 &
exec 3>&-
"$1"
"#;

fn fifo(dir: &Path) -> PathBuf {
    let p = dir.join("go-on");
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    p
}

fn subshell_script(dir: &Path) -> (StdCommand, PathBuf) {
    let go_on = fifo(dir);
    let mut sh = StdCommand::new("sh");
    sh.arg("-c")
        .arg(SUBSHELL_HOLDS_THE_WRITER)
        .arg("sh")
        .arg(dir.join("stub"))
        .arg(&go_on)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    (sh, go_on)
}

#[test]
fn a_held_exec_goes_on_after_the_writer_closes_and_the_writers_own_exec_is_answered_meanwhile() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    // Plain, the script fails: the subshell holds the writer while the
    // stub is run.
    let dir = tempfile::tempdir().unwrap();
    if !leases(dir.path()) {
        return;
    }
    let (mut plain, go_on) = subshell_script(dir.path());
    let out = plain.output().unwrap();
    std::fs::write(&go_on, "\n").unwrap(); // let the subshell end
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("Text file busy"),
        "the control must fail: {stderr}"
    );

    // Shielded: the stub's exec is held; the subshell's exec of /bin/true
    // is answered while it is (a supervisor blocked on the hold would
    // answer it only at the budget, 30 s, and the stub would then fail);
    // true exits, the last writer is gone, the stub runs.
    let dir = tempfile::tempdir().unwrap();
    let shield = Shield::new().budget(Duration::from_secs(30));
    let (mut sh, go_on) = subshell_script(dir.path());
    let Some(sh) = shielded(&mut sh, &shield) else {
        return;
    };
    let mut child = sh.spawn().unwrap();
    until_held(&shield, 1, &mut child);
    std::fs::write(&go_on, "\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"stub ran\n");
    let r = shield.report();
    assert_eq!(
        (r.held, r.released_by_budget, r.unchecked),
        (1, 0, 0),
        "{r:?}"
    );
    // sh, the stub, and the subshell's true at least.
    assert!(r.execs >= 3, "{r:?}");
    assert!(r.longest_hold > Duration::ZERO && r.total_hold >= r.longest_hold);
}

#[test]
fn the_budget_lets_a_held_exec_go_and_the_kernel_answers_etxtbsy() {
    let dir = tempfile::tempdir().unwrap();
    if !leases(dir.path()) {
        return;
    }
    let (stub, writer) = stub_with_writer(dir.path());
    let budget = Duration::from_millis(300);
    let shield = Shield::new().budget(budget);
    let mut sh = StdCommand::new("sh");
    sh.arg("-c").arg(r#""$1""#).arg("sh").arg(&stub);
    let Some(sh) = shielded(&mut sh, &shield) else {
        return;
    };
    // The writer stays open for the whole run: it never closes.
    let out = sh.output().unwrap();
    drop(writer);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("Text file busy"),
        "{stderr}"
    );
    let r = shield.report();
    assert_eq!((r.held, r.released_by_budget), (1, 1), "{r:?}");
    assert!(r.longest_hold >= budget, "{r:?}");
}

extern "C" fn nothing(_: libc::c_int) {}

/// The child of `a_signal_during_a_hold_neither_loses_nor_doubles_it`: a
/// program with a restarting SIGWINCH handler that execs the stub itself
/// (no fork: the held thread is this process's own).
#[test]
#[ignore = "run as a child by a_signal_during_a_hold_neither_loses_nor_doubles_it"]
fn child_execs_the_stub_with_a_signal_handler() {
    let Ok(stub) = std::env::var(CHILD_MODE) else {
        return;
    };
    // SAFETY: a handler that does nothing, with SA_RESTART. SIGWINCH: its
    // default (after the exec resets the handler) is to ignore it, so a
    // signal still pending then can't end the stub.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = nothing as *const () as usize;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigaction(libc::SIGWINCH, &sa, std::ptr::null_mut());
    }
    let e = std::os::unix::process::CommandExt::exec(&mut StdCommand::new(stub));
    panic!("exec failed: {e}");
}

const CHILD_MODE: &str = "FLAKEPROOF_SHIELD_CHILD";

fn this_binary(name: &str, mode: &str) -> StdCommand {
    let mut cmd = StdCommand::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        &format!("shield::{name}"),
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_MODE, mode);
    cmd
}

#[test]
fn a_signal_during_a_hold_neither_loses_nor_doubles_it() {
    // Where the kernel lacks the killable wait (before 5.19), a signal
    // withdraws the held notification and the restarted exec sends a new
    // one: the same hold, counted once. Where it has it, the signal waits.
    // Either way the exec goes on once, after the writer closes.
    let dir = tempfile::tempdir().unwrap();
    if !leases(dir.path()) {
        return;
    }
    let (stub, writer) = stub_with_writer(dir.path());
    let shield = Shield::new().budget(Duration::from_secs(30));
    let mut cmd = this_binary(
        "child_execs_the_stub_with_a_signal_handler",
        stub.to_str().unwrap(),
    );
    cmd.stdout(Stdio::piped());
    let Some(cmd) = shielded(&mut cmd, &shield) else {
        return;
    };
    let mut child = cmd.spawn().unwrap();
    until_held(&shield, 1, &mut child);
    let pid = child.id();
    for _ in 0..50 {
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))
            .unwrap()
            .flatten()
        {
            let tid: libc::pid_t = task.file_name().to_string_lossy().parse().unwrap();
            // SAFETY: tgkill with integers, on our own child, not yet reaped.
            unsafe { libc::syscall(libc::SYS_tgkill, pid as libc::pid_t, tid, libc::SIGWINCH) };
        }
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the signals ended the child"
    );
    drop(writer);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("stub ran"));
    let r = shield.report();
    assert_eq!((r.held, r.released_by_budget), (1, 0), "{r:?}");
}

#[test]
fn a_shielded_tree_runs_with_no_new_privs() {
    // The kernel's rule for an unprivileged seccomp filter: setuid bits
    // give nothing in the tree (and sudo refuses to run).
    let shield = Shield::new();
    let mut cat = StdCommand::new("cat");
    cat.arg("/proc/self/status");
    let Some(cat) = shielded(&mut cat, &shield) else {
        return;
    };
    let out = cat.output().unwrap();
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(status.contains("NoNewPrivs:\t1"), "{status}");
}

#[test]
fn a_plan_after_a_shield_or_the_reverse_is_refused_naming_the_first() {
    let shield = Shield::new();
    let guard = FaultPlan::parse("rename=EIO").unwrap().activate();
    let mut a = StdCommand::new("true");
    if let Err(e) = a.shield(&shield) {
        return crate::common::skip("seccomp", &e.to_string());
    }
    let e = a.faults(&guard).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("shield"), "{e}");
    assert!(a.status().unwrap().success(), "the shield still works");

    let mut b = StdCommand::new("true");
    b.faults(&guard).unwrap();
    let e = b.shield(&shield).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("child-plan"), "{e}");
}

/// The child of `a_plan_inside_a_shielded_tree_is_refused_naming_the_shield`.
#[test]
#[ignore = "run as a child by a_plan_inside_a_shielded_tree_is_refused_naming_the_shield"]
fn child_attaches_a_plan() {
    if std::env::var_os(CHILD_MODE).is_none() {
        return;
    }
    let guard = FaultPlan::parse("rename=EBUSY").unwrap().activate();
    match StdCommand::new("true").faults(&guard) {
        Ok(_) => println!("attached"),
        Err(e) => println!("refused: {:?}: {e}", e.kind()),
    }
}

#[test]
fn a_plan_inside_a_shielded_tree_is_refused_naming_the_shield() {
    let shield = Shield::new();
    let mut cmd = this_binary("child_attaches_a_plan", "1");
    let Some(cmd) = shielded(&mut cmd, &shield) else {
        return;
    };
    let out = cmd.output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("refused: Unsupported"), "{said}");
    assert!(said.contains("flakeproof's shield"), "{said}");
}

#[test]
fn a_plan_and_a_shield_together_fail_the_planned_call_and_hold_the_exec() {
    // One listener for both: the plan decides first, the shield holds the
    // exec the plan let go on.
    let dir = tempfile::tempdir().unwrap();
    if !leases(dir.path()) {
        return;
    }
    let guard = FaultPlan::parse("create_dir(*/made)=EROFS")
        .unwrap()
        .activate();
    let shield = Shield::new().budget(Duration::from_secs(30));
    let (mut sh, go_on) = subshell_script(dir.path());
    sh.arg(dir.path().join("made"));
    let script =
        format!("mkdir \"$3\" 2>/dev/null || echo mkdir refused\n{SUBSHELL_HOLDS_THE_WRITER}");
    let mut args: Vec<std::ffi::OsString> = sh.get_args().map(Into::into).collect();
    args[1] = script.into();
    let mut sh = StdCommand::new("sh");
    sh.args(&args).stdout(Stdio::piped()).stderr(Stdio::piped());
    match sh.shield_with_faults(&shield, &guard) {
        Ok(_) => {}
        Err(e) => return crate::common::skip("seccomp", &e.to_string()),
    }
    let mut child = sh.spawn().unwrap();
    until_held(&shield, 1, &mut child);
    std::fs::write(&go_on, "\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"mkdir refused\nstub ran\n");
    assert_eq!(guard.injected(flakeproof::Op::CreateDir, "*"), 1);
    assert_eq!(shield.report().held, 1);
    assert!(!dir.path().join("made").exists());
}

#[test]
fn an_exec_of_a_fifo_does_not_block_the_supervisor() {
    // Opening a FIFO to probe it would wait for a writer: the supervisor
    // opens without blocking, and the kernel answers the exec (EACCES).
    let dir = tempfile::tempdir().unwrap();
    let go_on = fifo(dir.path());
    std::fs::set_permissions(&go_on, std::fs::Permissions::from_mode(0o755)).unwrap();
    let shield = Shield::new().budget(Duration::from_secs(30));
    let mut sh = StdCommand::new("sh");
    sh.arg("-c")
        .arg(r#""$1" 2>/dev/null; /bin/true && echo after"#)
        .arg("sh")
        .arg(&go_on);
    let Some(sh) = shielded(&mut sh, &shield) else {
        return;
    };
    let mut child = sh.stdout(Stdio::piped()).spawn().unwrap();
    // A hung supervisor would hang this test: fail it instead.
    let give_up = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > give_up {
            child.kill().unwrap();
            panic!("the exec of a FIFO hung the shielded tree");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.stdout, b"after\n");
    assert_eq!(shield.report().held, 0);
}
