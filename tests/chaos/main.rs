//! A small suite that must pass with and without chaos mode. CI runs it both
//! ways (it needs the `chaos` feature, which lets FLAKEPROOF_FAULTS in):
//!
//!     FLAKEPROOF_FAULTS='spawn=ETXTBSY@every2; write=delay(1ms)@every3' cargo test --features chaos --test chaos
//!
//! Every spawn here goes through flakeproof's retrying helpers, so an
//! injected ETXTBSY on every other spawn must not fail a single test.
// Unix only: its stubs are #!/bin/sh scripts.
#![cfg(unix)]

#[path = "../common/mod.rs"]
mod common;

use std::process::Command;

use flakeproof::fault;
use flakeproof::{Op, SpawnRetryExt, install_executable_stub, retry_etxtbsy};

fn fake_tool(dir: &std::path::Path, name: &str, says: &str) -> std::path::PathBuf {
    install_executable_stub(dir, name, format!("#!/bin/sh\necho {says}\n")).unwrap()
}

#[test]
fn fake_compiler_runs() {
    let Some(dir) = common::exec_tempdir() else {
        return;
    };
    let cc = fake_tool(dir.path(), "cc", "compiled");
    for _ in 0..5 {
        assert_eq!(
            Command::new(&cc).output_retrying().unwrap().stdout,
            b"compiled\n"
        );
    }
}

#[test]
fn fake_git_runs_through_a_hand_written_retry() {
    let Some(dir) = common::exec_tempdir() else {
        return;
    };
    let git = fake_tool(dir.path(), "git", "clean");
    for _ in 0..5 {
        let out = retry_etxtbsy(10, || flakeproof::process::Command::new(&git).output()).unwrap();
        assert_eq!(out.stdout, b"clean\n");
    }
}

#[test]
fn files_written_through_flakeproof_fs_survive_delays() {
    let Some(dir) = common::exec_tempdir() else {
        return;
    };
    for i in 0..6 {
        let p = dir.path().join(format!("f{i}"));
        flakeproof::fs::write(&p, "x").unwrap();
        assert_eq!(flakeproof::fs::read_to_string(&p).unwrap(), "x");
    }
}

#[test]
fn chaos_mode_is_really_on_when_the_variable_is_set() {
    let Some(dir) = common::exec_tempdir() else {
        return;
    };
    let tool = fake_tool(dir.path(), "tool", "ok");
    for _ in 0..6 {
        assert!(Command::new(&tool).status_retrying().unwrap().success());
    }
    match std::env::var("FLAKEPROOF_FAULTS") {
        Err(_) => assert!(fault::process_wide().is_none()),
        Ok(text) => {
            let chaos =
                fault::process_wide().expect("FLAKEPROOF_FAULTS is set: a process-wide plan");
            assert_eq!(
                chaos.plan(),
                fault::FaultPlan::parse(&text).unwrap().to_string()
            );
            if text.contains("spawn=ETXTBSY@every2") {
                // At least 6 spawns happened, so at least 3 were failed; all were retried.
                assert!(
                    chaos.injected(Op::Spawn, "*") >= 3,
                    "{:?}",
                    chaos.calls().len()
                );
            }
            eprintln!(
                "chaos: {} ({} calls consulted it, {} injected)",
                chaos.plan(),
                chaos.calls().len(),
                chaos.calls().iter().filter(|c| c.injected()).count()
            );
        }
    }
}
