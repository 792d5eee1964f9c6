//! Reproduce the "Text file busy" race on this machine, and show which way of
//! installing a stub executable survives it.
//!
//! Several writer threads each install a stub and exec it at once, over and
//! over, while background threads spawn `true` in a loop (the forks that
//! leak writable descriptors). One table row per install strategy.
//!
//!     cargo run --release --example race_lab [-- --writers 4 --storm 2 --iterations 500]

use std::fs;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use flakeproof::lab::{ForkStorm, Recipe};
use flakeproof::{is_etxtbsy, retry_etxtbsy, Os, Strategy, StubInstaller};

const BODY: &[u8] = b"#!/bin/sh\nexit 0\n";

/// How a row installs its stub. Returns the barrier's busy probes (0 if none).
type Install = fn(&Path, &str) -> io::Result<u32>;

struct Row {
    name: &'static str,
    install: Install,
    /// Retry the exec on ETXTBSY (the usual workaround).
    retry_exec: bool,
}

fn plain_write(dir: &Path, name: &str) -> io::Result<u32> {
    Recipe::PlainWrite.install(dir, name, BODY).map(|_| 0)
}

/// The usual "atomic install": temp file, fsync the open fd, rename, fsync the directory.
fn temp_fsync_rename(dir: &Path, name: &str) -> io::Result<u32> {
    Recipe::TempFsyncRename.install(dir, name, BODY).map(|_| 0)
}

fn flakeproof_with(installer: StubInstaller, dir: &Path, name: &str) -> io::Result<u32> {
    Ok(installer.install_with_report(dir, name, BODY)?.busy_probes)
}

fn flakeproof_barrier(dir: &Path, name: &str) -> io::Result<u32> {
    flakeproof_with(StubInstaller::new(), dir, name)
}

fn flakeproof_barrier_nondurable(dir: &Path, name: &str) -> io::Result<u32> {
    flakeproof_with(StubInstaller::new().durable(false), dir, name)
}

fn flakeproof_child_writer(dir: &Path, name: &str) -> io::Result<u32> {
    flakeproof_with(
        StubInstaller::new().strategy(Strategy::ChildWriter),
        dir,
        name,
    )
}

struct Tally {
    installs: AtomicU64,
    busy_execs: AtomicU64,
    other_errors: AtomicU64,
    retries: AtomicU64,
    install_nanos: AtomicU64,
    barrier_waits: AtomicU64,
}

fn run_row(row: &Row, writers: usize, storm_threads: usize, iterations: usize) -> Tally {
    let dir = tempfile::tempdir().expect("temp dir");
    let tally = Tally {
        installs: AtomicU64::new(0),
        busy_execs: AtomicU64::new(0),
        other_errors: AtomicU64::new(0),
        retries: AtomicU64::new(0),
        install_nanos: AtomicU64::new(0),
        barrier_waits: AtomicU64::new(0),
    };
    let storm = ForkStorm::start(storm_threads);
    std::thread::scope(|s| {
        for w in 0..writers {
            let (dir, tally) = (dir.path(), &tally);
            s.spawn(move || {
                let name = format!("stub-{w}");
                let path = dir.join(&name);
                for _ in 0..iterations {
                    let t0 = Instant::now();
                    let installed = (row.install)(dir, &name);
                    tally
                        .install_nanos
                        .fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
                    match installed {
                        Ok(busy) => {
                            tally.installs.fetch_add(1, Ordering::Relaxed);
                            tally
                                .barrier_waits
                                .fetch_add((busy > 0) as u64, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("{}: install failed: {e}", row.name);
                            tally.other_errors.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    }
                    let mut calls = 0u64;
                    let mut exec = || {
                        calls += 1;
                        Command::new(&path).stdin(Stdio::null()).status()
                    };
                    let result = if row.retry_exec {
                        retry_etxtbsy(10, exec)
                    } else {
                        exec()
                    };
                    tally.retries.fetch_add(calls - 1, Ordering::Relaxed);
                    match result {
                        Ok(_) => {}
                        Err(e) if is_etxtbsy(Os::CURRENT, &e) => {
                            tally.busy_execs.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            eprintln!("{}: exec failed: {e}", row.name);
                            tally.other_errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    storm.stop();
    tally
}

fn arg(args: &[String], flag: &str, default: usize) -> usize {
    match args.iter().position(|a| a == flag) {
        None => default,
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| usage(&format!("{flag} needs a whole number"))),
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("race_lab: {problem}");
    eprintln!("usage: race_lab [--writers N] [--storm N] [--iterations N-per-writer]");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        usage("reproduces the ETXTBSY race and compares install strategies");
    }
    let known = ["--writers", "--storm", "--iterations"];
    for pair in args.chunks(2) {
        if !known.contains(&pair[0].as_str()) {
            usage(&format!("unknown argument {:?}", pair[0]));
        }
    }
    let writers = arg(&args, "--writers", 4).max(1);
    let storm = arg(&args, "--storm", 2);
    let iterations = arg(&args, "--iterations", 500).max(1);

    let rows = [
        Row {
            name: "plain write + chmod",
            install: plain_write,
            retry_exec: false,
        },
        Row {
            name: "temp + fsync + rename + dir fsync",
            install: temp_fsync_rename,
            retry_exec: false,
        },
        Row {
            name: "same + retry_etxtbsy(10) on exec",
            install: temp_fsync_rename,
            retry_exec: true,
        },
        Row {
            name: "flakeproof (default: barrier, durable)",
            install: flakeproof_barrier,
            retry_exec: false,
        },
        Row {
            name: "flakeproof barrier, durable(false)",
            install: flakeproof_barrier_nondurable,
            retry_exec: false,
        },
        Row {
            name: "flakeproof Strategy::ChildWriter",
            install: flakeproof_child_writer,
            retry_exec: false,
        },
    ];

    println!(
        "race_lab: {writers} writer threads x {iterations} installs+execs each, {storm} threads spawning `true` meanwhile"
    );
    println!(
        "kernel {}, {} cores\n",
        kernel(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| strategy | installs | execs failed ETXTBSY | retries needed | barrier waited | µs per install |");
    println!("|---|---:|---:|---:|---:|---:|");
    let start = Instant::now();
    let mut flakeproof_failed = 0;
    for row in &rows {
        let t = run_row(row, writers, storm, iterations);
        let installs = t.installs.load(Ordering::Relaxed);
        let busy = t.busy_execs.load(Ordering::Relaxed);
        if row.name.starts_with("flakeproof") {
            flakeproof_failed += busy + t.other_errors.load(Ordering::Relaxed);
        }
        let attempted = (writers * iterations) as f64;
        println!(
            "| {} | {} | {} ({:.1} %) | {} | {} | {:.0} |",
            row.name,
            installs,
            busy,
            100.0 * busy as f64 / installs.max(1) as f64,
            t.retries.load(Ordering::Relaxed),
            t.barrier_waits.load(Ordering::Relaxed),
            t.install_nanos.load(Ordering::Relaxed) as f64 / 1e3 / attempted,
        );
        let other = t.other_errors.load(Ordering::Relaxed);
        if other > 0 {
            println!("|  ↳ other errors | {other} | | | | |");
        }
    }
    println!("\n{:.1} s in all. \"barrier waited\": installs where a forked child still held the new file's", start.elapsed().as_secs_f64());
    println!("writable descriptor when flakeproof closed it; each of those would have been an ETXTBSY risk.");
    if flakeproof_failed > 0 {
        eprintln!(
            "\nflakeproof rows had {flakeproof_failed} failures: that is a bug, please report it"
        );
        std::process::exit(1);
    }
}

fn kernel() -> String {
    fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| std::env::consts::OS.into(), |s| s.trim().into())
}
