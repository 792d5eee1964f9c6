//! Chaos mode over a small suite: run ordinary work (install tools, run them,
//! move files) under a process-wide fault plan and show that the retry paths
//! hold. The plan comes from FLAKEPROOF_FAULTS, or a default:
//!
//!     cargo run --example chaos
//!     FLAKEPROOF_FAULTS='spawn=ETXTBSY@p0.5/seed=3; rename=busy(EBUSY,5ms)' cargo run --example chaos

use std::io;
use std::process::Command;
use std::time::Duration;

use flakeproof::fault::{self, FaultPlan};
use flakeproof::{fs, install_executable_stub, Classifier, CommandExt, Op, RetryPolicy};

const DEFAULT_PLAN: &str =
    "spawn=ETXTBSY@every2; rename(*/artifact-*)=busy(EBUSY,5ms); write=delay(1ms)@every5";

fn main() -> io::Result<()> {
    // FLAKEPROOF_FAULTS is installed by flakeproof itself; otherwise use ours.
    let _ours = match fault::process_wide() {
        Some(_) => None,
        None => Some(
            FaultPlan::parse(DEFAULT_PLAN)
                .expect("valid")
                .activate_process_wide()?,
        ),
    };
    let chaos = fault::process_wide().expect("a plan is active");
    println!("chaos plan: {}\n", chaos.plan());

    let dir = tempfile::tempdir()?;
    // Moving build artifacts: EBUSY for a moment is transient here, by our own rule.
    let busy = Classifier::new(|e: &io::Error| e.kind() == io::ErrorKind::ResourceBusy);
    let moves = RetryPolicy::new(busy)
        .attempts(50)
        .budget(Duration::from_secs(2));

    // The "suite": 4 threads, each does 10 rounds of install, run, move.
    std::thread::scope(|s| {
        for t in 0..4 {
            let (dir, moves) = (dir.path(), &moves);
            s.spawn(move || -> io::Result<()> {
                for i in 0..10 {
                    let tool = install_executable_stub(
                        dir,
                        &format!("tool-{t}"),
                        "#!/bin/sh\necho built\n",
                    )?;
                    let out = Command::new(&tool).output_retrying()?;
                    assert_eq!(out.stdout, b"built\n");
                    let (tmp, artifact) = (
                        dir.join(format!("tmp-{t}-{i}")),
                        dir.join(format!("artifact-{t}-{i}")),
                    );
                    fs::write(&tmp, "object code")?;
                    moves.run(|| fs::rename(&tmp, &artifact))?;
                }
                Ok(())
            });
        }
    });

    let calls = chaos.calls();
    println!("| operation | calls | injected failures | delayed |");
    println!("|---|---:|---:|---:|");
    for op in [
        Op::OpenWrite,
        Op::Write,
        Op::Rename,
        Op::Spawn,
        Op::Lock,
        Op::Sync,
    ] {
        let of_op: Vec<_> = calls.iter().filter(|c| c.op == op).collect();
        let delayed = of_op
            .iter()
            .filter(|c| matches!(c.outcome, fault::Outcome::Delayed(_)))
            .count();
        let injected = of_op.iter().filter(|c| c.injected()).count();
        println!("| {op:?} | {} | {injected} | {delayed} |", of_op.len());
    }
    let artifacts = std::fs::read_dir(dir.path())?.filter(|e| {
        e.as_ref()
            .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("artifact-"))
    });
    println!(
        "\nall 40 rounds succeeded: {} artifacts in place",
        artifacts.count()
    );
    Ok(())
}
