//! The contract of install_executable_stub, scenario by scenario.
// Unix only: modes, forks and #!/bin/sh stubs (Windows installs: tests/windows.rs).
#![cfg(unix)]

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::{entries, skip};
#[cfg(target_os = "linux")]
use flakeproof::fault::FaultPlan;
use flakeproof::{
    StubInstaller,
    install::{InstallStep, Strategy, WriterCheck},
    install_executable_stub,
};
use rstest::rstest;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn stub_runs_and_prints_its_body() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let body = "#!/bin/sh\necho 'fake git' \"$@\"\n";
    let stub = install_executable_stub(dir.path(), "git", body).unwrap();
    assert_eq!(stub, dir.path().join("git"));
    assert_eq!(fs::read(&stub).unwrap(), body.as_bytes());
    assert_eq!(mode(&stub), 0o755);
    let out = Command::new(&stub).arg("status").output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, b"fake git status\n");
}

#[rstest]
fn every_strategy_and_durability_installs_the_same_file(
    #[values(Strategy::DrainBarrier, Strategy::ChildWriter)] strategy: Strategy,
    #[values(true, false)] durable: bool,
) {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let body: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let installer = StubInstaller::new().strategy(strategy).durable(durable);
    let report = installer
        .install_with_report(dir.path(), "blob", &body)
        .unwrap();
    assert_eq!(fs::read(&report.path).unwrap(), body);
    assert_eq!(mode(&report.path), 0o755);
    assert_eq!(entries(dir.path()), ["blob"]);
    match strategy {
        Strategy::ChildWriter => assert_eq!(report.check, WriterCheck::ChildWriter),
        _ if !cfg!(target_os = "linux") => {}
        _ if crate::common::leases_work_in(dir.path()) => {
            assert_eq!(report.check, WriterCheck::Lease)
        }
        _ => skip("leases", "the temp dir's filesystem grants no read lease"),
    }
}

#[test]
fn custom_mode_is_exact_including_setuid_bits() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    for m in [0o700, 0o555, 0o4755, 0o644] {
        let p = StubInstaller::new()
            .mode(m)
            .install(dir.path(), "s", "x")
            .unwrap();
        assert_eq!(mode(&p), m, "{m:o}");
    }
}

/// As a non-root user, a mode without owner read (0o111, 0o311) used to fail
/// with EACCES: the read-only reopen came after the fchmod. Root's DAC
/// override hid it, so when run as root this test re-runs itself as
/// uid 65534 (where `setpriv` exists).
#[rstest]
fn any_mode_installs_for_any_user(
    #[values(Strategy::DrainBarrier, Strategy::ChildWriter)] strategy: Strategy,
) {
    // SAFETY: geteuid has no failure mode.
    if unsafe { libc::geteuid() } == 0 && as_nobody(strategy) {
        return;
    }
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    for m in [0o111, 0o311, 0o000, 0o4111, 0o755] {
        let p = StubInstaller::new()
            .strategy(strategy)
            .mode(m)
            .install(dir.path(), "s", "#!/bin/sh\n")
            .unwrap_or_else(|e| panic!("mode {m:o}: {e}"));
        assert_eq!(mode(&p), m, "{m:o}");
    }
    assert_eq!(entries(dir.path()), ["s"]);
}

/// Run `any_mode_installs_for_any_user` for `strategy` in this binary as
/// uid 65534; false if that can't be done here (then the caller runs it as
/// root, which proves less).
fn as_nobody(strategy: Strategy) -> bool {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o777)).unwrap();
    // A copy uid 65534 can reach, wherever the checkout lives. Copied with
    // replace_executable, not fs::copy: the copy is exec'd right after,
    // while other test threads fork, which is this crate's race (seen on
    // FUSE, where the copy's writable descriptor stays open longest:
    // "setpriv: failed to execute ...: Text file busy").
    let exe = tmp.path().join("install-test");
    flakeproof::replace::Replacer::new()
        .mode(0o755)
        .durable(false)
        .replace(std::env::current_exe().unwrap(), &exe)
        .unwrap();
    let case = match strategy {
        Strategy::ChildWriter => {
            "install::any_mode_installs_for_any_user::strategy_2_Strategy__ChildWriter"
        }
        _ => "install::any_mode_installs_for_any_user::strategy_1_Strategy__DrainBarrier",
    };
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args(["--exact", case, "--nocapture", "--test-threads=1"])
        .env("TMPDIR", tmp.path())
        .output();
    match out {
        Err(e) => {
            skip("setpriv", &format!("setpriv can't run: {e}"));
            false
        }
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && text.contains("1 passed"),
                "as uid 65534:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
    }
}

#[test]
fn empty_body_is_a_valid_stub() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let p = install_executable_stub(dir.path(), "empty", "").unwrap();
    assert_eq!(fs::metadata(&p).unwrap().len(), 0);
}

#[test]
fn overwrite_while_the_old_stub_runs_keeps_it_running() {
    let Ok(sleep_elf) = fs::read("/bin/sleep") else {
        return skip("bin-sleep", "/bin/sleep is not here to copy");
    };
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    // A real ELF program: rewriting it in place while it runs is refused by
    // the kernel (ETXTBSY), so an installer that rewrote in place would fail.
    let stub = install_executable_stub(dir.path(), "tool", &sleep_elf).unwrap();
    let mut old = Command::new(&stub).arg("30").spawn().unwrap();

    // flakeproof: allow(in-place-replace) the kernel refusing this open is what the test checks
    let in_place = fs::OpenOptions::new().write(true).open(&stub);
    if cfg!(target_os = "linux") {
        let e = in_place.expect_err("kernel refuses writes to a running program");
        assert_eq!(e.kind(), io::ErrorKind::ExecutableFileBusy);
    }

    install_executable_stub(dir.path(), "tool", "#!/bin/sh\necho new\n").unwrap();
    assert_eq!(old.try_wait().unwrap(), None, "old stub must keep running");
    let out = Command::new(&stub).output().unwrap();
    assert_eq!(out.stdout, b"new\n");
    old.kill().unwrap();
    old.wait().unwrap();
    assert_eq!(entries(dir.path()), ["tool"]);
}

#[test]
fn no_temp_files_are_left_after_many_installs() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    for i in 0..50 {
        install_executable_stub(dir.path(), &format!("s{}", i % 5), format!("#{i}")).unwrap();
    }
    assert_eq!(entries(dir.path()), ["s0", "s1", "s2", "s3", "s4"]);
}

#[rstest]
fn destination_directory_is_an_error_and_stays_untouched(
    #[values(Strategy::DrainBarrier, Strategy::ChildWriter)] strategy: Strategy,
) {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    fs::create_dir(dir.path().join("bin")).unwrap();
    fs::write(dir.path().join("bin/keep"), "precious").unwrap();
    let e = StubInstaller::new()
        .strategy(strategy)
        .install(dir.path(), "bin", "#!/bin/sh\n")
        .unwrap_err();
    // From rename(2), untouched.
    assert_eq!(e.raw_os_error(), Some(libc::EISDIR));
    assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
    assert_eq!(e.step(), InstallStep::Rename);
    assert_eq!(e.path(), dir.path().join("bin"));
    assert_eq!(entries(dir.path()), ["bin"], "temp file left behind");
    assert_eq!(
        fs::read_to_string(dir.path().join("bin/keep")).unwrap(),
        "precious"
    );
}

#[test]
fn destination_symlink_is_replaced_not_followed() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let victim = dir.path().join("victim");
    fs::write(&victim, "do not touch").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("stub")).unwrap();
    let stub = install_executable_stub(dir.path(), "stub", "#!/bin/sh\n").unwrap();
    assert!(fs::symlink_metadata(&stub).unwrap().file_type().is_file());
    assert_eq!(fs::read_to_string(&victim).unwrap(), "do not touch");
}

#[rstest]
#[case::empty("")]
#[case::dot(".")]
#[case::dotdot("..")]
#[case::slash("a/b")]
#[case::absolute("/etc/passwd")]
#[case::trailing_slash("git/")]
#[case::nul("gi\0t")]
fn bad_names_are_invalid_input_and_touch_nothing(#[case] name: &str) {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let e = install_executable_stub(dir.path(), name, "x").unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{name:?}: {e}");
    assert_eq!(e.raw_os_error(), None);
    assert_eq!(e.step(), InstallStep::Validate);
    assert!(e.to_string().contains("stub name"), "{e}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn mode_with_bits_above_0o7777_is_invalid_input() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let e = StubInstaller::new()
        .mode(0o10755)
        .install(dir.path(), "s", "x")
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    assert!(entries(dir.path()).is_empty());
}

#[rstest]
fn missing_directory_is_not_found(
    #[values(Strategy::DrainBarrier, Strategy::ChildWriter)] strategy: Strategy,
) {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let missing = dir.path().join("nope");
    let e = StubInstaller::new()
        .strategy(strategy)
        .install(&missing, "s", "x")
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    assert!(!missing.exists());
}

#[test]
fn directory_that_is_a_file_is_not_a_directory() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let file = dir.path().join("f");
    fs::write(&file, "").unwrap();
    let e = install_executable_stub(&file, "s", "x").unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOTDIR));
}

/// A child with a copy of every descriptor of this process, sleeping `hold`
/// and exiting without exec.
fn fork_holding_everything(hold: Duration) -> libc::pid_t {
    let ts = libc::timespec {
        tv_sec: hold.as_secs() as libc::time_t,
        tv_nsec: hold.subsec_nanos() as libc::c_long,
    };
    // SAFETY: the child only calls nanosleep and _exit (async-signal-safe).
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: as above.
        unsafe {
            libc::nanosleep(&ts, std::ptr::null_mut());
            libc::_exit(0);
        }
    }
    assert!(pid > 0, "fork: {}", io::Error::last_os_error());
    pid
}

#[cfg(target_os = "linux")]
/// Keeps the installer's writable descriptor open for `WRITE_DELAY` before
/// it writes (an injected delay on its write): the window in which a fork
/// copies it.
const WRITE_DELAY: Duration = Duration::from_millis(500);

#[cfg(target_os = "linux")]
fn hold_the_writer_open_for_forks() -> flakeproof::fault::FaultGuard {
    FaultPlan::parse(&format!("write=delay({}ms)", WRITE_DELAY.as_millis()))
        .unwrap()
        .activate()
}

#[cfg(target_os = "linux")]
/// A forked child that is killed and reaped when dropped, so that a failing
/// assertion can't leave it holding every descriptor of this process (other
/// tests' writers included) for the rest of its `hold`: that is how one
/// failure here once made a neighbour's barrier time out on FUSE.
struct Forked(libc::pid_t);

#[cfg(target_os = "linux")]
impl Drop for Forked {
    fn drop(&mut self) {
        // SAFETY: our own child.
        unsafe {
            libc::kill(self.0, libc::SIGKILL);
            libc::waitpid(self.0, std::ptr::null_mut(), 0);
        }
    }
}

#[cfg(target_os = "linux")]
/// Wait for the install's temp file to appear in `dir` and, with
/// `our_writer`, for its writable descriptor to be in this process's table
/// (an entry appears before `open` returns, and on FUSE the gap is a round
/// trip to the daemon: a fork in it copies no writer); then fork a child
/// holding every descriptor of this process for `hold`. Returns the child,
/// whether it holds a descriptor of the temp file (read from
/// /proc/PID/fd), and whether the temp file was still there after the fork
/// (the install had not finished: the fork landed inside it).
fn fork_when_the_temp_file_appears(
    dir: &Path,
    hold: Duration,
    our_writer: bool,
) -> (Forked, bool, bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let holds_it = |fds: &str, tmp: &Path| {
        fs::read_dir(fds)
            .map(|d| {
                d.filter_map(Result::ok)
                    .any(|e| fs::read_link(e.path()).is_ok_and(|t| t == tmp))
            })
            .unwrap_or(false)
    };
    let tmp = loop {
        let found = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".flakeproof-tmp"));
        if let Some(p) = found
            && (!our_writer || holds_it("/proc/self/fd", &p))
        {
            break p;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no temp file (or no descriptor of it) appeared"
        );
        std::thread::sleep(Duration::from_micros(200));
    };
    let child = Forked(fork_holding_everything(hold));
    let holds = holds_it(&format!("/proc/{}/fd", child.0), &tmp);
    (child, holds, tmp.exists())
}

#[cfg(target_os = "linux")]
#[rstest]
fn children_that_fork_without_exec(
    #[values(Strategy::DrainBarrier, Strategy::ChildWriter)] strategy: Strategy,
) {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    // With the drain barrier the writer is ours: fork once it exists.
    let ours = strategy == Strategy::DrainBarrier;
    let (result, (child, holds, inside)) = std::thread::scope(|s| {
        let forker =
            s.spawn(|| fork_when_the_temp_file_appears(dir.path(), Duration::from_secs(60), ours));
        let _slow = hold_the_writer_open_for_forks();
        let r = StubInstaller::new()
            .strategy(strategy)
            .durable(false)
            .barrier_timeout(Duration::from_millis(100))
            .install(dir.path(), "stub", "#!/bin/sh\nexit 0\n");
        (r, forker.join().unwrap())
    });
    assert!(
        inside,
        "the fork landed after the install: the test proves nothing"
    );
    match strategy {
        // The child copied the writer's descriptor and never execs: the
        // barrier must say so, and leave nothing behind.
        Strategy::DrainBarrier => {
            assert!(holds, "the forked child did not inherit the writer");
            let e = result.unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{e}");
            assert_eq!(e.step(), InstallStep::Barrier);
            assert!(
                crate::common::entries(dir.path()).is_empty(),
                "{:?}",
                crate::common::entries(dir.path())
            );
        }
        // The child writer's descriptor never existed in this process: the
        // fork copied nothing of it, and the stub runs at once.
        _ => {
            assert!(
                !holds,
                "the forked child holds the child writer's descriptor"
            );
            let p = result.unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"#!/bin/sh\nexit 0\n");
            assert!(Command::new(&p).status().unwrap().success());
            assert_eq!(crate::common::entries(dir.path()), ["stub"]);
        }
    }
    drop(child); // killed and reaped
}

#[test]
fn control_a_plain_write_inherited_by_a_child_that_never_execs_fails_with_etxtbsy() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    // The failure the child writer exists for, made certain: a child forked
    // while the plain writer's descriptor is open keeps a copy, and the exec
    // fails although this process closed its own.
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let path = dir.path().join("stub");
    // flakeproof: allow(write-then-exec) the race reproduced on purpose: the writer stays open while the stub is run
    let f = fs::File::create(&path).unwrap();
    let child = fork_holding_everything(Duration::from_secs(30));
    drop(f);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    let e = Command::new(&path).status().unwrap_err();
    // SAFETY: our own child.
    unsafe {
        libc::kill(child, libc::SIGKILL);
        libc::waitpid(child, std::ptr::null_mut(), 0);
    }
    if cfg!(target_os = "linux") {
        assert_eq!(e.raw_os_error(), Some(libc::ETXTBSY));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn barrier_waits_out_children_that_inherited_the_writer_then_passes() {
    // A child forked while the descriptor is open inherits it and exits
    // 300 ms after the install closed its own copy, without exec: the
    // barrier must see it (busy probes) and wait, not time out.
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let (report, (child, holds, inside)) = std::thread::scope(|s| {
        let forker = s.spawn(|| {
            fork_when_the_temp_file_appears(
                dir.path(),
                WRITE_DELAY + Duration::from_millis(300),
                true,
            )
        });
        let _slow = hold_the_writer_open_for_forks();
        let r = StubInstaller::new().durable(false).install_with_report(
            dir.path(),
            "stub",
            "#!/bin/sh\n",
        );
        (r, forker.join().unwrap())
    });
    assert!(
        inside && holds,
        "the fork did not land while the writer was open"
    );
    let report = report.unwrap();
    assert!(report.busy_probes > 0, "{report:?}");
    assert_eq!(fs::read(&report.path).unwrap(), b"#!/bin/sh\n");
    assert_eq!(crate::common::entries(dir.path()), ["stub"]);
    drop(child); // killed and reaped
}

#[test]
fn a_writer_holding_the_old_stub_open_does_not_matter() {
    // The old inode is held for writing; the new stub is a different inode.
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let stub = install_executable_stub(dir.path(), "s", "#!/bin/sh\necho old\n").unwrap();
    let hold = flakeproof::lab::WriteHold::open(&stub).unwrap();
    install_executable_stub(dir.path(), "s", "#!/bin/sh\necho new\n").unwrap();
    assert_eq!(Command::new(&stub).output().unwrap().stdout, b"new\n");
    drop(hold);
}

/// What `stat -f` says the filesystem of `dir` is (GNU coreutils).
#[cfg(target_os = "linux")]
fn fs_type(dir: &Path) -> Option<String> {
    let out = Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn durability_says_what_the_filesystem_keeps() {
    use flakeproof::install::Durability;
    let dir = tempfile::tempdir().unwrap();
    let fast = StubInstaller::new()
        .durable(false)
        .install_with_report(dir.path(), "fast", "")
        .unwrap();
    assert_eq!(fast.durability, Durability::NotRequested);
    // Whichever filesystem TMPDIR is on (CI runs this on several).
    let expected = match fs_type(dir.path()).as_deref() {
        Some("ext2/ext3" | "xfs" | "btrfs" | "overlayfs" | "zfs" | "f2fs") => Durability::Full,
        Some("tmpfs" | "ramfs") => Durability::Unsupported,
        Some("fuseblk" | "fuse" | "nfs" | "smb2" | "cifs" | "9p") => Durability::Uncertain,
        other => return skip("durability", &format!("unlisted filesystem {other:?}")),
    };
    let slow = StubInstaller::new()
        .install_with_report(dir.path(), "slow", "")
        .unwrap();
    assert_eq!(slow.durability, expected);
    if fs_type(Path::new("/dev/shm")).as_deref() == Some("tmpfs") {
        let shm = tempfile::tempdir_in("/dev/shm").unwrap();
        let r = StubInstaller::new()
            .install_with_report(shm.path(), "x", "")
            .unwrap();
        assert_eq!(r.durability, Durability::Unsupported);
    }
}
