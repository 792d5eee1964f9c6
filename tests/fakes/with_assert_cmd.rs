//! Fakes with assert_cmd: the code under test is a real program (here a
//! shell one-liner standing in for your binary, which you would get from
//! `Command::cargo_bin`), and the fakes on its PATH stand in for the tools
//! it runs. (An example for users as much as a test.)

#![cfg(unix)]

use assert_cmd::Command;
use flakeproof::fake::{ArgMatch, FakeDir, Reply};

#[test]
fn a_program_that_runs_git_is_checked_end_to_end() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    let describe = git
        .when(ArgMatch::exact(["describe", "--tags"]))
        .reply(Reply::stdout("v1.2.3\n"))
        .unwrap();
    Command::new("sh")
        .args(["-c", "echo \"version $(git describe --tags)\""])
        .env("PATH", fakes.path_env_prepended())
        .assert()
        .success()
        .stdout("version v1.2.3\n");
    assert_eq!(describe.call_count().unwrap(), 1);
    fakes.verify().unwrap();
}

#[test]
fn a_failing_tool_makes_the_program_fail() {
    let fakes = FakeDir::new().unwrap();
    let git = fakes.fake("git").install().unwrap();
    git.when(ArgMatch::prefix(["describe"]))
        .reply(Reply::exit(128).with_stderr("fatal: No names found\n"))
        .unwrap();
    Command::new("sh")
        .args(["-c", "v=$(git describe --tags) || exit 3; echo $v"])
        .env("PATH", fakes.path_env_prepended())
        .assert()
        .code(3)
        .stderr("fatal: No names found\n");
}
