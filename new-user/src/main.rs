//! Reproduces two real-world artifact races with real processes, first with
//! the code the projects had, then with flakeproof, in the same run:
//!
//! 1. `dx serve` (dioxus) copying each fresh build over the program it
//!    serves (`src/dx.rs`);
//! 2. two `mops build` of one canister at once (`src/mops.rs`).
//!
//! Exit status: 0 only if the naive code failed in each scenario and
//! flakeproof's never did; 1 otherwise (saying which); 2 on a setup error.
//! The workers are this same binary, started with a subcommand.

mod common;
mod dx;
mod mops;

use std::io;
use std::process::ExitCode;
use std::time::Instant;

use common::ScratchDir;

const USAGE: &str = "\
usage: new-user-scenarios [--rounds N] [--builders N] [--probe-ms N] [--only dx|mops]

  --rounds N     dx: builds each builder process puts in place;
                 mops: batches of concurrent builds (default 40)
  --builders N   dx: builder processes (concurrent `dx serve`);
                 mops: concurrent builds per canister in each batch (default 3)
  --probe-ms N   dx: how long each run of the served program lasts (default 2)
  --only S       run one scenario only

Temp files go under $TMPDIR (std::env::temp_dir) and are removed at the end.";

struct Options {
    rounds: u32,
    builders: u32,
    probe_ms: u64,
    only: Option<String>,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        rounds: 40,
        builders: 3,
        probe_ms: 2,
        only: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag}: expected a positive number, got {value:?}"))
        };
        match flag.as_str() {
            "--rounds" => o.rounds = number()?,
            "--builders" => o.builders = number()?,
            "--probe-ms" => o.probe_ms = u64::from(number()?),
            "--only" if value == "dx" || value == "mops" => o.only = Some(value.clone()),
            _ => return Err(format!("unknown option {flag} {value}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Worker subcommands (this binary re-run by itself).
    let worker = match args.first().map(String::as_str) {
        Some("dx-builder") => Some(dx::builder_main(&args[1..])),
        Some("dx-server") => Some(dx::server_main(&args[1..])),
        Some("dx-probe") => Some(dx::probe_main(&args[1..])),
        Some("mops-build") => Some(mops::build_main(&args[1..])),
        _ => None,
    };
    if let Some(result) = worker {
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}: {e}", args[0]);
                ExitCode::from(2)
            }
        };
    }

    let opts = match parse_options(&args) {
        Ok(o) => o,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("{msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(problems) if problems.is_empty() => {
            println!("\nOK: the naive code failed in every scenario, flakeproof never did.");
            ExitCode::SUCCESS
        }
        Ok(problems) => {
            println!("\nNOT OK:");
            for p in problems {
                println!("  - {p}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the scenarios, prints their tables, and returns what went wrong.
fn run(o: &Options) -> io::Result<Vec<String>> {
    let started = Instant::now();
    let scratch = ScratchDir::new("new-user-scenarios")?;
    println!("scratch directory: {}", scratch.path().display());
    let mut problems = Vec::new();

    if o.only.as_deref() != Some("mops") {
        let cfg = dx::Config {
            rounds: o.rounds,
            builders: o.builders,
            probe_ms: o.probe_ms,
        };
        println!(
            "\n== dx serve: {} builder processes x {} builds over a program a server process keeps running ({} ms a run)",
            cfg.builders, cfg.rounds, cfg.probe_ms
        );
        let rows = dx::run(&cfg, scratch.path())?;
        print_dx(&rows);
        judge(
            "dx serve",
            rows.iter().map(|r| {
                (
                    r.variant == dx::Variant::Naive,
                    r.variant.label(),
                    r.failures(),
                )
            }),
            &mut problems,
        );
    }

    if o.only.as_deref() != Some("dx") {
        let cfg = mops::Config {
            rounds: o.rounds,
            builders: o.builders,
        };
        println!(
            "\n== mops build: {} rounds of {} canisters x {} concurrent build processes, each writing .wasm/.did/.most in 4 KiB chunks",
            cfg.rounds,
            mops::KEYS.len(),
            cfg.builders
        );
        let rows = mops::run(&cfg, scratch.path())?;
        print_mops(&rows);
        judge(
            "mops build",
            rows.iter().map(|r| {
                (
                    r.variant == mops::Variant::Naive,
                    r.variant.label(),
                    r.failures(),
                )
            }),
            &mut problems,
        );
        for r in rows.iter().filter(|r| r.variant == mops::Variant::Locked) {
            // A lock that let two builds of one key overlap is broken even if
            // the files happened to come out whole.
            let overlaps = r.counters.get("same_key_overlap");
            if overlaps > 0 {
                problems.push(format!(
                    "mops build: with ArtifactLock, {overlaps} builds of a canister started while another build of it was running"
                ));
            }
            // The other half of the claim: different keys don't wait for each
            // other. Observed from markers, not clocks.
            if r.counters.get("cross_key_concurrent") == 0 {
                problems.push(
                    "mops build: with ArtifactLock, no build ever ran while another canister was building: parallelism of different keys not shown in this run"
                        .into(),
                );
            }
        }
    }

    println!("\ntotal run time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(problems)
}

/// The brief's rule: failures with the naive code, none with flakeproof, in
/// the same run.
fn judge<'a>(
    scenario: &str,
    rows: impl Iterator<Item = (bool, &'a str, u64)>,
    problems: &mut Vec<String>,
) {
    for (naive, label, failures) in rows {
        if naive && failures == 0 {
            problems.push(format!(
                "{scenario}: the naive variant ({label}) had no failure: the race was NOT reproduced in this run (try more --rounds)"
            ));
        }
        if !naive && failures > 0 {
            problems.push(format!(
                "{scenario}: flakeproof variant {label} had {failures} failures"
            ));
        }
    }
}

fn print_dx(rows: &[dx::Row]) {
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9} {:>8} {:>9} {:>7}",
        "builders use",
        "builds",
        "build:",
        "build:",
        "server",
        "exec:",
        "exec:",
        "run:",
        "run:",
        "final",
        "time"
    );
    println!(
        "{:<30} {:>6} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9} {:>8} {:>9} {:>7}",
        "", "", "ETXTBSY", "other", "runs", "ETXTBSY", "other", "crashed", "torn", "torn", ""
    );
    for r in rows {
        println!(
            "{:<30} {:>6} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9} {:>8} {:>9} {:>6.1}s",
            r.variant.label(),
            r.builders.get("builds"),
            r.builders.get("fail_etxtbsy"),
            r.builders.get("fail_other"),
            r.server.get("runs"),
            r.server.get("spawn_etxtbsy"),
            r.server.get("spawn_other"),
            r.server.get("crashed"),
            r.server.get("ran_torn"),
            if r.final_torn { "yes" } else { "no" },
            r.elapsed.as_secs_f64()
        );
    }
    println!(
        "  build: a builder's copy/replace failed; exec: the server could not start the program;\n  run: it started but died (crashed) or was neither build (torn); final: file left in place at the end.\n  builds left alone because the destination already held them: {}",
        rows.iter()
            .map(|r| format!("{} {}", r.variant.label(), r.builders.get("ok_unchanged")))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn print_mops(rows: &[mops::Row]) {
    println!(
        "{:<26} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8} {:>11} {:>7}",
        "variant",
        "builds",
        "torn",
        "mixed",
        "final",
        "same-key",
        "cross-key",
        "waited",
        "other",
        "time"
    );
    println!(
        "{:<26} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8} {:>11} {:>7}",
        "", "", "file", "set", "torn", "overlaps", "concurrent", "for lock", "build's set", ""
    );
    for r in rows {
        let c = &r.counters;
        println!(
            "{:<26} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8} {:>11} {:>6.1}s",
            r.variant.label(),
            c.get("builds"),
            c.get("torn_file"),
            c.get("mixed_set"),
            r.final_torn,
            c.get("same_key_overlap"),
            c.get("cross_key_concurrent"),
            c.get("lock_waits"),
            c.get("other_build_set"),
            r.elapsed.as_secs_f64()
        );
    }
    println!(
        "  torn file: a build read back a file that is not one build's whole output; mixed set: whole files\n  from different builds; final torn: canisters left torn at the end. same-key overlaps / cross-key\n  concurrent: builds that started while a build of the same / another canister was running (markers,\n  not clocks). waited for lock: builds that found their canister's lock taken.
  other build's set: read back another build's whole set (not a failure)."
    );
}
