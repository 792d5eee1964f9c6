//! With the `chaos` feature, an invalid FLAKEPROOF_FAULTS must not poison the
//! process: every call that consults a plan, in every thread, reports the
//! same clear error naming the variable and the column. Without the feature
//! the variable is never read: a shipped program can't be made to fail by
//! its users' environment. The environment is read once per process, so the
//! check runs in a child process (this test binary, re-run).

use std::io;
use std::process::Command;

const CHILD: &str = "FLAKEPROOF_CHAOS_ENV_CHILD";

/// Run only by the test below.
#[test]
#[ignore = "run by the parent test with an invalid FLAKEPROOF_FAULTS"]
fn child_makes_calls_from_several_threads() {
    assert!(std::env::var_os(CHILD).is_some(), "run by the parent test");
    let dir = tempfile::tempdir().unwrap();
    if cfg!(not(feature = "chaos")) {
        flakeproof::fs::create_dir(dir.path().join("d")).unwrap();
        flakeproof::install_executable_stub(dir.path(), "s", "").unwrap();
        assert!(flakeproof::fault::process_wide().is_none());
        println!("child-saw: nothing");
        return;
    }
    let messages: Vec<String> = (0..4)
        .map(|i| {
            let p = dir.path().join(format!("d{i}"));
            std::thread::spawn(move || flakeproof::fs::create_dir(p))
        })
        .map(|t| t.join().unwrap())
        .chain([flakeproof::fs::write(dir.path().join("f"), "x")])
        .map(|r| {
            let e = r.expect_err("an invalid plan must fail the call");
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
            e.to_string()
        })
        .collect();
    // Nothing was created: the calls were not made.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let install = flakeproof::install_executable_stub(dir.path(), "s", "").unwrap_err();
    assert_eq!(install.kind(), io::ErrorKind::InvalidInput);
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:?}");
    println!("child-saw: {}", messages[0]);
}

#[test]
fn an_invalid_plan_in_the_environment_fails_every_call_the_same_way_or_is_ignored_without_the_feature()
 {
    let _alone = crate::common::process_wide();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "chaos_env::child_makes_calls_from_several_threads",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("FLAKEPROOF_FAULTS", "rename=EBSY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("child-saw: ").map(|(_, m)| m.to_owned()))
        .unwrap_or_else(|| panic!("{stdout}"));
    if cfg!(feature = "chaos") {
        assert!(line.contains("FLAKEPROOF_FAULTS"), "{line}");
        assert!(line.contains("column 8"), "{line}");
        assert!(line.contains("EBSY"), "{line}");
    } else {
        assert_eq!(line, "nothing");
    }
}
