//! Fake commands on PATH (`flakeproof::fake`): the issue's "done when" list,
//! and each reply kind, run against the real shim in real child processes.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use flakeproof::fake::{AfterLast, ArgMatch, FakeDir, Reply, RunState};

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn sixty_four_concurrent_calls_take_each_step_of_a_sequence_exactly_once() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    let steps = (1..=64).map(|k| Reply::stdout(format!("{k}")));
    let rule = tool
        .when(ArgMatch::any())
        .replies(steps, AfterLast::Fail)
        .unwrap();
    let path = Arc::new(tool.path());
    // 8 threads spawning 8 calls each, all in flight at once: the claims
    // overlap (the shims run side by side), which is what a read-modify-
    // write counter gets wrong.
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let children: Vec<_> = (0..8)
                    .map(|_| Command::new(&*path).stdout(Stdio::piped()).spawn().unwrap())
                    .collect();
                children
                    .into_iter()
                    .map(|c| {
                        let out = c.wait_with_output().unwrap();
                        assert!(out.status.success(), "{out:?}");
                        String::from_utf8(out.stdout)
                            .unwrap()
                            .parse::<u64>()
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut got: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(
        got,
        (1..=64).collect::<Vec<_>>(),
        "each step given exactly once"
    );

    let calls = fakes.calls().unwrap();
    let numbers: Vec<u64> = calls.iter().map(|c| c.number).collect();
    assert_eq!(numbers, (1..=64).collect::<Vec<_>>(), "64 records, no gaps");
    let steps: BTreeSet<u64> = calls.iter().map(|c| c.step.unwrap()).collect();
    assert_eq!(steps.len(), 64);
    assert!(calls.iter().all(|c| c.state == RunState::Exited(0)));
    assert_eq!(rule.call_count().unwrap(), 64);
    // The 65th call finds the sequence used up: AfterLast::Fail.
    let out = Command::new(&*path).output().unwrap();
    assert_eq!(out.status.code(), Some(97), "{out:?}");
    assert!(fakes.calls().unwrap()[64].is_unexpected());
    fakes.verify().unwrap_err();
}

/// Arguments that shells, quoting code and Windows' command-line parsing
/// get wrong.
fn nasty_args() -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "two words",
        "",
        "-n",
        "it's \"quoted\"",
        "*",
        "%PATH%",
        "^caret^",
        "line\nbreak",
        "tab\there",
        "back\\slash\\",
        "ünïcødé",
        "--flag=a b",
        "",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        args.push(OsString::from_vec(vec![b'n', 0xff, 0xfe, b'x']));
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        args.push(OsString::from_wide(&[0x61, 0xD800, 0x62])); // unpaired surrogate
    }
    args
}

#[test]
fn arguments_round_trip_exactly() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    let args = nasty_args();
    let rule = tool
        .when(ArgMatch::exact(&args))
        .reply(Reply::stdout("matched"))
        .unwrap();
    let out = Command::new(tool.path()).args(&args).output().unwrap();
    assert_eq!(out.stdout, b"matched", "{out:?}");
    let call = &fakes.calls().unwrap()[0];
    assert_eq!(call.args, args);
    assert_eq!(call.rule, Some(0));
    assert_eq!(rule.call_count().unwrap(), 1);
}

#[cfg(unix)]
#[test]
fn arguments_round_trip_through_a_shell_from_path() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    tool.when(ArgMatch::any()).reply(Reply::success()).unwrap();
    let args = nasty_args();
    // sh finds `tool` on PATH and passes "$@" through untouched.
    let status = Command::new("sh")
        .args(["-c", "tool \"$@\"", "sh"])
        .args(&args)
        .env("PATH", fakes.path_env_prepended())
        .status()
        .unwrap();
    assert!(status.success());
    let call = &fakes.calls().unwrap()[0];
    assert_eq!(call.args, args);
    assert_eq!(call.argv0, "tool");
}

#[test]
fn a_mebibyte_of_stdin_is_captured() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").capture_stdin(1 << 20).install().unwrap();
    tool.when(ArgMatch::any())
        .reply(Reply::success().echo_stdin())
        .unwrap();
    let input: Vec<u8> = (0..(1u32 << 20)).map(|i| (i * 7 % 251) as u8).collect();
    let mut child = Command::new(tool.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feed = {
        let input = input.clone();
        std::thread::spawn(move || stdin.write_all(&input).unwrap())
    };
    let out = child.wait_with_output().unwrap();
    feed.join().unwrap();
    assert!(out.stdout == input, "echoed {} bytes", out.stdout.len());
    let call = &fakes.calls().unwrap()[0];
    assert_eq!(call.stdin_len, Some(1 << 20));
    assert!(call.stdin.as_deref() == Some(&input[..]));
}

#[test]
fn stdin_beyond_the_cap_is_read_and_counted_but_not_kept() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").capture_stdin(10).install().unwrap();
    tool.when(ArgMatch::any()).reply(Reply::success()).unwrap();
    let mut child = Command::new(tool.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"0123456789abcdef")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let call = &fakes.calls().unwrap()[0];
    assert_eq!(call.stdin.as_deref(), Some(&b"0123456789"[..]));
    assert_eq!(call.stdin_len, Some(16));
}

#[test]
fn a_fake_killed_mid_delay_is_recorded_as_killed() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    tool.when(ArgMatch::any())
        .reply(Reply::stdout("never").delay(Duration::from_secs(600)))
        .unwrap();
    let mut child = Command::new(tool.path()).arg("slow").spawn().unwrap();
    // The start record is written before the delay: this can't race.
    let calls = fakes.wait_for_calls(1, WAIT).unwrap();
    assert_eq!(calls[0].state, RunState::Running);
    assert_eq!(calls[0].pid, child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    let calls = fakes.calls().unwrap();
    assert_eq!(calls[0].state, RunState::Killed);
    assert_eq!(calls[0].args_lossy(), ["slow"]);
}

#[test]
fn parallel_tests_with_their_own_fake_dirs_never_see_each_others_calls() {
    let run = |tag: &'static str| {
        std::thread::spawn(move || {
            let fakes = FakeDir::new().unwrap();
            let git = fakes.fake("git").install().unwrap();
            git.when(ArgMatch::any()).reply(Reply::stdout(tag)).unwrap();
            for i in 0..20 {
                let out = fakes
                    .command("git")
                    .arg(format!("{tag}-{i}"))
                    .output()
                    .unwrap();
                assert_eq!(out.stdout, tag.as_bytes());
            }
            let calls = fakes.calls().unwrap();
            assert_eq!(calls.len(), 20);
            for (i, c) in calls.iter().enumerate() {
                assert_eq!(c.args_lossy(), [format!("{tag}-{i}")]);
            }
        })
    };
    let (a, b) = (run("a"), run("b"));
    a.join().unwrap();
    b.join().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_noexec_location_fails_at_new_with_a_clear_error() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return crate::common::skip("root", "mounting a noexec tmpfs needs root");
    }
    let dir = tempfile::tempdir().unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "noexec,size=8m", "flakeproof-noexec"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(ok.success(), "mount failed");
    let result = FakeDir::new_in(dir.path());
    let listing: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    Command::new("umount").arg(dir.path()).status().unwrap();
    let err = result.unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EACCES), "{err}");
    assert!(err.to_string().contains("can't run"), "{err}");
    assert!(listing.is_empty(), "left behind: {listing:?}");
}

#[test]
fn sequences_cycle_repeat_or_fall_through() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    let code = |args: &[&str]| {
        Command::new(tool.path())
            .args(args)
            .status()
            .unwrap()
            .code()
    };
    tool.when(ArgMatch::exact(["c"]))
        .replies([Reply::exit(1), Reply::exit(2)], AfterLast::Cycle)
        .unwrap();
    tool.when(ArgMatch::exact(["r"]))
        .replies([Reply::exit(3), Reply::exit(4)], AfterLast::RepeatLast)
        .unwrap();
    tool.when(ArgMatch::exact(["f"]))
        .replies([Reply::exit(5)], AfterLast::FallThrough)
        .unwrap();
    tool.when(ArgMatch::any()).reply(Reply::exit(6)).unwrap();
    let cycle: Vec<_> = (0..4).map(|_| code(&["c"])).collect();
    assert_eq!(cycle, [Some(1), Some(2), Some(1), Some(2)]);
    let repeat: Vec<_> = (0..3).map(|_| code(&["r"])).collect();
    assert_eq!(repeat, [Some(3), Some(4), Some(4)]);
    let fall: Vec<_> = (0..3).map(|_| code(&["f"])).collect();
    assert_eq!(fall, [Some(5), Some(6), Some(6)]);
    let calls = fakes.calls().unwrap();
    assert_eq!(calls.len(), 10);
    assert_eq!(calls[8].rule, Some(3), "fell through to the catch-all");
    fakes.verify().unwrap();
}

#[test]
fn unexpected_calls_fail_are_recorded_and_verify_lists_them_with_the_closest_rule() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(ArgMatch::exact(["push", "origin", "main"]))
        .reply(Reply::success())
        .unwrap();
    git.when(ArgMatch::prefix(["fetch"]))
        .reply(Reply::success())
        .unwrap();
    git.when(ArgMatch::exact(["gc"]))
        .optional()
        .reply(Reply::success())
        .unwrap();
    let out = Command::new(git.path())
        .args(["push", "origin", "master"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(97));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule takes this call"));
    let unmet = fakes.verify().unwrap_err();
    assert_eq!(unmet.unexpected.len(), 1);
    assert_eq!(
        unmet.unexpected[0].args_lossy(),
        ["push", "origin", "master"]
    );
    assert_eq!(
        unmet.unused,
        [("git".to_string(), 0), ("git".to_string(), 1)]
    );
    let report = unmet.to_string();
    assert!(
        report.contains(
            r#"closest: git rule 0, exactly ["push", "origin", "main"] (1 argument off)"#
        ),
        "{report}"
    );
    assert!(
        report.contains("unused rule: git rule 1, starting [\"fetch\"]"),
        "{report}"
    );
    assert!(
        !report.contains("rule 2"),
        "optional rules are not listed: {report}"
    );
}

#[test]
fn hangs_end_when_released_and_partial_output_comes_first() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    let rule = tool
        .when(ArgMatch::any())
        .reply(Reply::stdout("half").hang().with_stderr(""))
        .unwrap();
    let mut child = Command::new(tool.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 4];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"half", "the output came before the hang");
    assert_eq!(fakes.calls().unwrap()[0].state, RunState::Running);
    rule.release().unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(fakes.calls().unwrap()[0].state, RunState::Exited(0));
}

#[test]
fn dropping_the_dir_releases_hangs_and_removes_everything() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    tool.when(ArgMatch::any())
        .reply(Reply::exit(4).hang())
        .unwrap();
    let mut child = Command::new(tool.path()).spawn().unwrap();
    fakes.wait_for_calls(1, WAIT).unwrap();
    let root = fakes.bin_dir().parent().unwrap().to_owned();
    drop(fakes);
    assert_eq!(child.wait().unwrap().code(), Some(4));
    assert!(!root.exists());
}

#[test]
fn environment_is_recorded_absent_apart_from_empty_and_env_clear_does_not_break_the_fake() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes
        .fake("tool")
        .record_env(["SET", "EMPTY", "UNSET"])
        .install()
        .unwrap();
    tool.when(ArgMatch::any())
        .reply(Reply::stdout("ok"))
        .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(tool.path())
        .env_clear()
        .env("SET", "v")
        .env("EMPTY", "")
        .current_dir(cwd.path())
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"ok", "{out:?}");
    let call = &fakes.calls().unwrap()[0];
    assert_eq!(call.env_var("SET"), Some(Some("v".as_ref())));
    assert_eq!(call.env_var("EMPTY"), Some(Some("".as_ref())));
    assert_eq!(call.env_var("UNSET"), Some(None));
    assert_eq!(call.env_var("OTHER"), None);
    let cwd_seen = std::fs::canonicalize(call.cwd.as_ref().unwrap()).unwrap();
    assert_eq!(cwd_seen, std::fs::canonicalize(cwd.path()).unwrap());
}

#[cfg(unix)]
#[test]
fn a_fake_can_die_by_a_signal() {
    use std::os::unix::process::ExitStatusExt;
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    tool.when(ArgMatch::any())
        .reply(Reply::signal(libc::SIGPIPE))
        .unwrap();
    let status = Command::new(tool.path()).status().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGPIPE));
    assert_eq!(
        fakes.calls().unwrap()[0].state,
        RunState::Signaled(libc::SIGPIPE)
    );
}

#[cfg(unix)]
#[test]
fn passthrough_runs_the_real_program_and_is_recorded() {
    let fakes = FakeDir::new().unwrap();
    let echo = fakes.fake("echo").capture_stdin(100).install().unwrap();
    echo.when(ArgMatch::any())
        .reply(Reply::passthrough())
        .unwrap();
    let out = fakes
        .command("echo")
        .args(["real", "echo"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"real echo\n");
    let call = &fakes.calls().unwrap()[0];
    assert_eq!(call.state, RunState::Exited(0));
    assert_eq!(call.stdin_len, Some(0));
}

#[test]
fn passthrough_without_a_real_program_is_refused_when_the_rule_is_added() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("flakeproof-no-such-program").install().unwrap();
    let err = tool
        .when(ArgMatch::any())
        .reply(Reply::passthrough())
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    // Nothing was added.
    Command::new(tool.path()).status().unwrap();
    assert!(fakes.calls().unwrap()[0].is_unexpected());
}

#[cfg(unix)]
#[test]
fn a_grandchild_in_the_background_is_waited_for() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(ArgMatch::any())
        .reply(Reply::exit(3).delay(Duration::from_millis(20)))
        .unwrap();
    // The shell exits at once; its background child calls the fake later.
    let status = Command::new("sh")
        .args(["-c", "(sleep 0.05; git gc --auto) >/dev/null 2>&1 &"])
        .env("PATH", fakes.path_env_prepended())
        .status()
        .unwrap();
    assert!(status.success());
    let calls = fakes.wait_for_finished(1, WAIT).unwrap();
    assert_eq!(calls[0].args_lossy(), ["gc", "--auto"]);
    assert_eq!(calls[0].state, RunState::Exited(3));
}

#[test]
fn waits_return_once_enough_calls_started_or_ended_and_time_out_listing_what_they_saw() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    let hang = tool
        .when(ArgMatch::any())
        .reply(Reply::success().hang())
        .unwrap();
    let mut children: Vec<_> = (0..3)
        .map(|_| Command::new(tool.path()).spawn().unwrap())
        .collect();
    let calls = fakes.wait_for_calls(3, WAIT).unwrap();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.state == RunState::Running));
    // All three hang until released: none can have finished, whatever the
    // timer says.
    let err = fakes
        .wait_for_finished(1, Duration::from_millis(50))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    let msg = err.to_string();
    assert!(
        msg.contains("for 1 calls to have finished; 0 had:"),
        "{msg}"
    );
    assert_eq!(msg.matches("tool -> running").count(), 3, "{msg}");
    // A killed call counts as finished: its end is the kernel's.
    let killed = children.pop().unwrap();
    let killed_pid = killed.id();
    let mut killed = killed;
    killed.kill().unwrap();
    let calls = fakes.wait_for_finished(1, WAIT).unwrap();
    let gone: Vec<_> = calls
        .iter()
        .filter(|c| c.state != RunState::Running)
        .collect();
    assert_eq!(gone.len(), 1);
    assert_eq!((gone[0].pid, gone[0].state), (killed_pid, RunState::Killed));
    killed.wait().unwrap();
    hang.release().unwrap();
    let calls = fakes.wait_for_finished(3, WAIT).unwrap();
    let exited = calls
        .iter()
        .filter(|c| c.state == RunState::Exited(0))
        .count();
    assert_eq!(exited, 2);
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
}

#[test]
fn flakeproofs_own_command_runs_fakes_too() {
    let fakes = FakeDir::new().unwrap();
    let cc = fakes.fake("cc").install().unwrap();
    cc.when(ArgMatch::contains(["-c"]))
        .reply(Reply::stdout("compiled"))
        .unwrap();
    let out = flakeproof::process::Command::new("cc")
        .args(["-O2", "-c", "x.c"])
        .env("PATH", fakes.path_env())
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"compiled");
    fakes.verify().unwrap();
}

#[test]
fn bad_names_are_refused_and_leave_nothing_behind() {
    let fakes = FakeDir::new().unwrap();
    for name in ["", ".", "..", "a/b", "flakeproof-self-test"] {
        let err = fakes.fake(name).install().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{name:?}");
    }
    fakes.fake("git").install().unwrap();
    assert_eq!(
        fakes.fake("git").install().unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
    let bin: Vec<_> = std::fs::read_dir(fakes.bin_dir()).unwrap().collect();
    assert_eq!(bin.len(), 1, "{bin:?}");
}

#[test]
fn a_fault_plan_for_the_code_under_test_does_not_reach_the_fakes_machinery() {
    let text = if cfg!(windows) {
        "write=ERROR_ACCESS_DENIED; rename=ERROR_SHARING_VIOLATION; create_dir=ERROR_ACCESS_DENIED"
    } else {
        "write=EIO; rename=EBUSY; create_dir=EROFS"
    };
    let plan = flakeproof::fault::FaultPlan::parse(text).unwrap();
    let guard = plan.activate();
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    tool.when(ArgMatch::any()).reply(Reply::success()).unwrap();
    assert!(Command::new(tool.path()).status().unwrap().success());
    assert_eq!(fakes.calls().unwrap().len(), 1);
    drop(fakes);
    assert!(guard.calls().is_empty(), "{:?}", guard.calls());
}

#[test]
fn exit_codes_are_what_the_os_passes_on() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    // Windows passes all 32 bits (an NTSTATUS here); Unix keeps the low 8.
    let (code, seen): (u32, u32) = if cfg!(windows) {
        (0xC000_0005, 0xC000_0005)
    } else {
        (256 + 7, 7)
    };
    tool.when(ArgMatch::any()).reply(Reply::exit(code)).unwrap();
    let status = Command::new(tool.path()).status().unwrap();
    assert_eq!(status.code(), Some(seen as i32));
    assert_eq!(fakes.calls().unwrap()[0].state, RunState::Exited(seen));
}

#[test]
fn a_wrong_hint_slows_claims_down_but_never_breaks_them() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    let replies = (1..=4).map(Reply::exit);
    tool.when(ArgMatch::any())
        .replies(replies, AfterLast::Fail)
        .unwrap();
    let root = fakes.bin_dir().parent().unwrap().to_owned();
    let mut codes = Vec::new();
    // A hint past every claim, a torn one, and none at all: each is
    // checked against the files that exist before it is trusted.
    for hint in ["00000000000000099999", "0000000000000000001x", ""] {
        std::fs::write(root.join("calls/hint"), hint).unwrap();
        std::fs::write(root.join("steps/0-0.hint"), hint).unwrap();
        codes.push(Command::new(tool.path()).status().unwrap().code());
    }
    assert_eq!(codes, [Some(1), Some(2), Some(3)]);
    let numbers: Vec<u64> = fakes.calls().unwrap().iter().map(|c| c.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
}
