//! Testing the code that runs `git` with flakeproof's fakes, as a new user
//! would: `flakeproof` is the only dev-dependency, and `cargo test` is the
//! only command.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::time::Duration;

use flakeproof::fake::{AfterLast, ArgMatch, FakeDir, Reply, RunState};
use new_user_fakes::{commit, current_branch};

#[test]
fn the_branch_comes_from_git() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(ArgMatch::exact(["rev-parse", "--abbrev-ref", "HEAD"]))
        .reply(Reply::stdout("main\n"))
        .unwrap();
    assert_eq!(current_branch(&fakes.path_env_prepended()).unwrap(), "main");
    fakes.verify().unwrap();
}

#[test]
fn sixty_four_concurrent_calls_get_sixty_four_steps() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    let branches = (1..=64).map(|i| Reply::stdout(format!("b{i}\n")));
    git.when(ArgMatch::any())
        .replies(branches, AfterLast::Fail)
        .unwrap();
    let path = fakes.path_env_prepended();
    let got: BTreeSet<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..64)
            .map(|_| s.spawn(|| current_branch(&path).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(got, (1..=64).map(|i| format!("b{i}")).collect());
    let numbers: Vec<u64> = fakes.calls().unwrap().iter().map(|c| c.number).collect();
    assert_eq!(numbers, (1..=64).collect::<Vec<_>>());
}

#[cfg(unix)]
#[test]
fn awkward_arguments_arrive_exactly_through_a_shell() {
    use std::os::unix::ffi::OsStringExt;
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(ArgMatch::any()).reply(Reply::success()).unwrap();
    let args: Vec<OsString> = vec![
        "two words".into(),
        "it's \"quoted\"".into(),
        "*".into(),
        "%PATH%".into(),
        "^".into(),
        "line\nbreak".into(),
        "-n".into(),
        "".into(),
        OsString::from_vec(vec![0xff, b'x']),
    ];
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    assert!(new_user_fakes::git_via_shell(&fakes.path_env_prepended(), &refs).unwrap());
    assert_eq!(fakes.calls().unwrap()[0].args, args);
}

#[test]
fn a_mebibyte_commit_message_is_captured() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").capture_stdin(1 << 20).install().unwrap();
    git.when(ArgMatch::exact(["commit", "-F", "-"]))
        .reply(Reply::success())
        .unwrap();
    let message: Vec<u8> = (0..1u32 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    assert!(commit(&fakes.path_env_prepended(), &message).unwrap());
    let call = &fakes.calls().unwrap()[0];
    assert!(call.stdin.as_deref() == Some(&message[..]));
}

#[test]
fn a_git_killed_while_slow_is_recorded_as_killed() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(ArgMatch::any())
        .reply(Reply::success().delay(Duration::from_secs(600)))
        .unwrap();
    let mut child = std::process::Command::new(git.path())
        .arg("fetch")
        .spawn()
        .unwrap();
    fakes.wait_for_calls(1, Duration::from_secs(30)).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(fakes.calls().unwrap()[0].state, RunState::Killed);
}

#[test]
fn two_tests_at_once_keep_their_own_calls() {
    std::thread::scope(|s| {
        for branch in ["left", "right"] {
            s.spawn(move || {
                let fakes = FakeDir::new().unwrap();
                let git = fakes.fake("git").install().unwrap();
                git.when(ArgMatch::any())
                    .reply(Reply::stdout(branch))
                    .unwrap();
                for _ in 0..10 {
                    assert_eq!(current_branch(&fakes.path_env_prepended()).unwrap(), branch);
                }
                assert_eq!(fakes.calls().unwrap().len(), 10);
            });
        }
    });
}

#[cfg(target_os = "linux")]
#[test]
fn a_noexec_place_is_refused_at_new() {
    let dir = std::env::temp_dir().join(format!("new-user-noexec-{}", std::process::id()));
    std::fs::create_dir(&dir).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "noexec", "noexec-test"])
        .arg(&dir)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("SKIPPED: can't mount a noexec tmpfs here (not root)");
        std::fs::remove_dir(&dir).unwrap();
        return;
    }
    let result = FakeDir::new_in(&dir);
    std::process::Command::new("umount")
        .arg(&dir)
        .status()
        .unwrap();
    std::fs::remove_dir(&dir).unwrap();
    let err = result.unwrap_err();
    assert!(err.to_string().contains("can't run"), "{err}");
}
