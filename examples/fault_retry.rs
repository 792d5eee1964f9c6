//! Exercise your own retry code against an injected "busy executable"
//! sequence, on any OS: ETXTBSY on Unix, ERROR_SHARING_VIOLATION on Windows.
//! No race to wait for: the first two spawns fail, the third runs.
//!
//!     cargo run --example fault_retry

use std::io;
use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::process::Command; // was: std::process::Command
use flakeproof::{Classifier, Op, classify::Os};

/// The code under test: a hand-written retry loop around a spawn.
fn run_tool(program: &std::path::Path) -> io::Result<(String, u32)> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match Command::new(program).arg("--print-version").output() {
            Ok(out) => {
                return Ok((
                    String::from_utf8_lossy(&out.stdout).trim().to_owned(),
                    attempt,
                ));
            }
            Err(e)
                if attempt < 5
                    && Classifier::for_op(Op::Spawn)
                        .on(Os::CURRENT)
                        .is_transient(&e) =>
            {
                eprintln!(
                    "  attempt {attempt}: {e} (kind {:?}, raw {:?}); retrying",
                    e.kind(),
                    e.raw_os_error()
                );
                std::thread::sleep(Duration::from_millis(10 * attempt as u64));
            }
            Err(e) => return Err(e),
        }
    }
}

fn main() -> io::Result<()> {
    if std::env::args().any(|a| a == "--print-version") {
        println!("tool 1.0");
        return Ok(());
    }
    let me = std::env::current_exe()?;
    let busy = if Os::CURRENT == Os::Windows {
        "ERROR_SHARING_VIOLATION"
    } else {
        "ETXTBSY"
    };
    let plan = FaultPlan::parse(&format!("spawn={busy}@1..2")).expect("valid plan");
    println!("plan: {plan}");

    let guard = plan.activate(); // this thread only
    let (version, attempts) = run_tool(&me)?;
    println!("tool said {version:?} after {attempts} attempts");
    println!(
        "spawns attempted: {}, injected: {}",
        guard.attempts(Op::Spawn, "*"),
        guard.injected(Op::Spawn, "*")
    );
    assert_eq!(attempts, 3);
    drop(guard);

    let (_, attempts) = run_tool(&me)?;
    println!("without the plan: {attempts} attempt");
    Ok(())
}
