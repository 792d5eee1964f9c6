//! Chaos mode over a small suite: run ordinary work (install tools, run them,
//! move files) under a process-wide fault plan and show that the retry paths
//! hold. The plan comes from FLAKEPROOF_FAULTS (with the `chaos` feature), or
//! a default:
//!
//!     cargo run --example chaos
//!     FLAKEPROOF_FAULTS='spawn=ETXTBSY@p0.5/seed=3; rename=busy(EBUSY,5ms)' cargo run --features chaos --example chaos
//!
//! Exits non-zero unless every round succeeded and every artifact is in place.

use std::io;
use std::process::{Command, ExitCode};
use std::time::Duration;

use flakeproof::fault::{self, FaultPlan, Outcome};
use flakeproof::{Classifier, Op, RetryPolicy, SpawnRetryExt, fs, install_executable_stub};

const DEFAULT_PLAN: &str =
    "spawn=ETXTBSY@every2; rename(*/artifact-*)=busy(EBUSY,5ms); write=delay(1ms)@every5";
const THREADS: usize = 4;
const ROUNDS: usize = 10;

/// One thread's rounds: install a tool, run it, move an artifact into place.
fn rounds(dir: &std::path::Path, t: usize, moves: &RetryPolicy) -> io::Result<()> {
    for i in 0..ROUNDS {
        let tool = install_executable_stub(dir, &format!("tool-{t}"), "#!/bin/sh\necho built\n")?;
        let out = Command::new(&tool).output_retrying()?;
        if out.stdout != b"built\n" {
            return Err(io::Error::other(format!(
                "tool-{t} printed {:?}",
                out.stdout
            )));
        }
        let (tmp, artifact) = (
            dir.join(format!("tmp-{t}-{i}")),
            dir.join(format!("artifact-{t}-{i}")),
        );
        fs::write(&tmp, "object code")?;
        moves.run(|| fs::rename(&tmp, &artifact))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    // FLAKEPROOF_FAULTS is installed by flakeproof itself; otherwise use ours.
    let _ours = match fault::process_wide() {
        Some(_) => None,
        None => Some(
            FaultPlan::parse(DEFAULT_PLAN)
                .expect("valid")
                .activate_process_wide()
                .expect("no other process-wide plan"),
        ),
    };
    let chaos = fault::process_wide().expect("a plan is active");
    println!("chaos plan: {}\n", chaos.plan());

    let dir = tempfile::tempdir().expect("temp dir");
    // Moving build artifacts: EBUSY for a moment is transient here, by our own rule.
    let busy = Classifier::new(|e: &io::Error| e.kind() == io::ErrorKind::ResourceBusy);
    let moves = RetryPolicy::new(busy)
        .attempts(50)
        .budget(Duration::from_secs(2));

    let results: Vec<io::Result<()>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..THREADS)
            .map(|t| {
                let (dir, moves) = (dir.path(), &moves);
                s.spawn(move || rounds(dir, t, moves))
            })
            .collect();
        threads
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("thread panicked")))
            })
            .collect()
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
            .filter(|c| matches!(c.outcome, Outcome::Delayed(_)))
            .count();
        let injected = of_op.iter().filter(|c| c.injected()).count();
        println!("| {op} | {} | {injected} | {delayed} |", of_op.len());
    }

    let failed: Vec<String> = results
        .iter()
        .enumerate()
        .filter_map(|(t, r)| r.as_ref().err().map(|e| format!("thread {t}: {e}")))
        .collect();
    let artifacts = std::fs::read_dir(dir.path())
        .expect("read the temp dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("artifact-"))
        })
        .count();
    let expected = THREADS * ROUNDS;
    println!(
        "\n{} of {THREADS} threads finished all {ROUNDS} rounds; {artifacts} of {expected} artifacts in place",
        THREADS - failed.len()
    );
    for f in &failed {
        eprintln!("  {f}");
    }
    if failed.is_empty() && artifacts == expected {
        ExitCode::SUCCESS
    } else {
        eprintln!("chaos: the suite did not ride out the plan");
        ExitCode::FAILURE
    }
}
