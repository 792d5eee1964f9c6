//! Using `FakeDir` as an rstest fixture: each test gets its own directory
//! of fakes, so tests running in parallel never see each other's calls.
//! (An example for users as much as a test.)

use flakeproof::fake::{ArgMatch, Fake, FakeDir, Reply};
use rstest::{fixture, rstest};

/// A fake `git` that knows one command; each test adds its own rules.
#[fixture]
fn git() -> (FakeDir, Fake) {
    let fakes = FakeDir::new().expect("fake dir");
    let git = fakes.fake("git").install().expect("fake git");
    git.when(ArgMatch::exact(["--version"]))
        .optional()
        .reply(Reply::stdout("git version 2.45.0\n"))
        .expect("rule");
    (fakes, git)
}

/// The code under test: does the working tree have changes?
fn is_dirty(fakes: &FakeDir) -> std::io::Result<bool> {
    let out = fakes
        .command("git")
        .args(["status", "--porcelain"])
        .output()?;
    Ok(!out.stdout.is_empty())
}

#[rstest]
#[case::clean("", false)]
#[case::modified(" M src/lib.rs\n", true)]
#[case::untracked("?? new.txt\n", true)]
fn dirty_is_decided_from_porcelain_output(
    git: (FakeDir, Fake),
    #[case] porcelain: &str,
    #[case] dirty: bool,
) {
    let (fakes, git) = git;
    let status = git
        .when(ArgMatch::exact(["status", "--porcelain"]))
        .reply(Reply::stdout(porcelain))
        .unwrap();
    assert_eq!(is_dirty(&fakes).unwrap(), dirty);
    assert_eq!(status.call_count().unwrap(), 1);
    fakes.verify().unwrap();
}
