//! Reproduce the "Text file busy" race on this machine, and compare what
//! projects ship against it with flakeproof's installer.
//!
//! Several writer threads each install a stub and exec it at once, over and
//! over, while background threads spawn `true` in a loop (the forks that
//! leak writable descriptors: a child keeps the writer's descriptor until
//! its own exec, and exec of the stub fails with ETXTBSY meanwhile).
//!
//! Table mode (the default) prints two tables, one row per strategy:
//!
//! 1. The test execs the stub itself. Rows: the plain and the "atomic"
//!    (temp + fsync + rename) recipes; that recipe with the ETXTBSY retries
//!    real projects wrapped around the spawn (`retry_etxtbsy(10)`, hew's
//!    5/10/20/40/80 ms, 5 ms doubling x 5 attempts, linear 20 ms x k over 9
//!    attempts) and with an "exec probe before use"; flakeproof's installer.
//! 2. The code under test execs the stub: the test spawns `sh -c "$stub"`,
//!    whose own exec of the stub is refused, so the shell exits 126 and says
//!    "Text file busy" on stderr. A retry around the test's spawn sees an
//!    exit status, not ETXTBSY, and has nothing to retry.
//!
//! It exits 1 if any flakeproof row had a failure: it is a reproducer.
//!
//!     cargo run --release --example race_lab [-- --writers 4 --storm 2 --iterations 500]
//!
//! Soak mode installs and execs N stubs with `StubInstaller::new()` under the
//! same storm, with plain `Command::status()` (no retry), and prints the
//! ETXTBSY escapes, latency percentiles and the 95 % upper bound on the
//! escape rate; it exits 1 on any escape or other error:
//!
//!     cargo run --release --example race_lab -- --soak 1000000

// std's fs and process calls are kept out of src/ outside src/sys
// (clippy.toml); an example is a user of the crate and calls std directly.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use flakeproof::lab::{ForkStorm, Recipe};
use flakeproof::{
    Classifier, RetryPolicy, StubInstaller, install::Strategy, retry::Backoff, retry_etxtbsy,
};

const BODY: &[u8] = b"#!/bin/sh\nexit 0\n";

/// The usage text; `--help` prints it.
const USAGE: &str = "\
usage: race_lab [--writers N] [--storm N] [--iterations N]
       race_lab --soak N [--writers N] [--storm N]

  --writers N     writer threads, each installing and exec'ing its own stub (default 4)
  --storm N       background threads spawning `true` in a loop (default 2)
  --iterations N  table mode: install+exec pairs per writer and row (default 500)
  --soak N        soak mode: N pairs in all with flakeproof's default installer,
                  plain spawns, no retry; prints escapes, latency percentiles and
                  the 95 % upper bound on the escape rate
  -h, --help      this text

Table mode runs 18 rows of writers x iterations pairs each; with the defaults it
took 59 s on a 2-core machine (80 s while other jobs ran). A soak pair took
1.3-1.5 ms of wall time there with the defaults: 1,000,000 pairs, 22-25 min.
Soak progress goes to stderr every 10 %.";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

// ---------------------------------------------------------------------------
// Strategies

/// How a row installs its stub.
enum Install {
    /// A recipe as projects write it (no barrier).
    Recipe(Recipe),
    /// flakeproof's installer.
    Flakeproof(StubInstaller),
}

/// What one install did.
struct Installed {
    path: PathBuf,
    /// The drain barrier found a forked child still holding the writer.
    barrier_waited: bool,
    /// The installer's own retries (rename refused): 0 on Linux.
    retries: u32,
}

impl Install {
    fn run(&self, dir: &Path, name: &str) -> io::Result<Installed> {
        match self {
            Install::Recipe(recipe) => Ok(Installed {
                path: recipe.install(dir, name, BODY)?,
                barrier_waited: false,
                retries: 0,
            }),
            Install::Flakeproof(installer) => {
                let report = installer.install_with_report(dir, name, BODY)?;
                Ok(Installed {
                    path: report.path,
                    barrier_waited: report.busy_probes > 0,
                    retries: report.retries,
                })
            }
        }
    }
}

/// What a row wraps around the test's spawn.
enum Retry {
    None,
    /// `flakeproof::retry_etxtbsy(10, ..)`: 1 ms doubling, capped at 100 ms.
    Etxtbsy10,
    /// A shipped schedule, as a flakeproof policy retrying ETXTBSY only.
    Policy(RetryPolicy),
    /// Exec the stub once right after installing it, retrying that probe on
    /// ETXTBSY with this policy; then the real exec, unretried.
    Probe(RetryPolicy),
}

/// Who execs the stub.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exec {
    /// The test itself: `Command::new(stub).status()`.
    Direct,
    /// The code under test, a grandchild: the test runs `sh -c "$stub"`.
    ViaShell,
}

struct Row {
    name: &'static str,
    install: Install,
    retry: Retry,
    /// A failure in this row is a flakeproof bug: exit 1.
    flakeproof: bool,
}

/// Retry ETXTBSY only, sleeping `delays` between attempts.
fn etxtbsy_policy<B>(attempts: u32, delays: B) -> RetryPolicy
where
    B: Iterator<Item = Duration> + Clone + Send + Sync + 'static,
{
    RetryPolicy::etxtbsy().attempts(attempts).backoff(delays)
}

fn hew() -> RetryPolicy {
    // 6 attempts, 5 sleeps: 155 ms at most.
    etxtbsy_policy(6, Backoff::list([5, 10, 20, 40, 80].map(ms)))
}

fn doubling_5ms() -> RetryPolicy {
    // 5 attempts, sleeps 5, 10, 20, 40 ms: 75 ms at most.
    etxtbsy_policy(5, Backoff::exponential(ms(5)))
}

fn linear_20ms() -> RetryPolicy {
    // 9 attempts, sleeps 20, 40, ... 160 ms: 720 ms at most.
    etxtbsy_policy(9, (1..=8u32).map(|k| ms(20) * k))
}

fn rows(exec: Exec) -> Vec<Row> {
    let recipe = |name, recipe, retry| Row {
        name,
        install: Install::Recipe(recipe),
        retry,
        flakeproof: false,
    };
    let atomic = Recipe::TempFsyncRename;
    let mut rows = vec![
        recipe("plain write + chmod", Recipe::PlainWrite, Retry::None),
        recipe("temp + fsync + rename + dir fsync", atomic, Retry::None),
        recipe(
            "same + retry_etxtbsy(10): 1 ms doubling, cap 100 ms",
            atomic,
            Retry::Etxtbsy10,
        ),
        recipe(
            "same + retry 5, 10, 20, 40, 80 ms (hew, 6 attempts)",
            atomic,
            Retry::Policy(hew()),
        ),
        recipe(
            "same + retry 5 ms doubling, 5 attempts",
            atomic,
            Retry::Policy(doubling_5ms()),
        ),
        recipe(
            "same + retry 20 ms x k, 9 attempts",
            atomic,
            Retry::Policy(linear_20ms()),
        ),
        recipe(
            "same + exec probe first (5 ms doubling, 5 tries)",
            atomic,
            Retry::Probe(doubling_5ms()),
        ),
    ];
    let flakeproof = |name, installer| Row {
        name,
        install: Install::Flakeproof(installer),
        retry: Retry::None,
        flakeproof: true,
    };
    rows.push(flakeproof(
        "flakeproof StubInstaller::new() (barrier, durable)",
        StubInstaller::new(),
    ));
    if exec == Exec::Direct {
        rows.push(flakeproof(
            "flakeproof barrier, durable(false)",
            StubInstaller::new().durable(false),
        ));
        rows.push(flakeproof(
            "flakeproof Strategy::ChildWriter",
            StubInstaller::new().strategy(Strategy::ChildWriter),
        ));
    }
    rows
}

// ---------------------------------------------------------------------------
// Running a row

/// One writer's counts, merged into the row's.
#[derive(Default)]
struct Tally {
    pairs: u64,
    installs: u64,
    /// Direct: the exec (or the probe) failed with ETXTBSY after any retries.
    /// Via the shell: the shell exited 126 saying "Text file busy".
    failures: u64,
    other_errors: u64,
    retries: u64,
    barrier_waits: u64,
    install_nanos: u128,
    pair_nanos: u128,
    /// Time between attempts of the retry wrappers (sleeps, mostly).
    wait_nanos: u128,
    max_wait: Duration,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.pairs += o.pairs;
        self.installs += o.installs;
        self.failures += o.failures;
        self.other_errors += o.other_errors;
        self.retries += o.retries;
        self.barrier_waits += o.barrier_waits;
        self.install_nanos += o.install_nanos;
        self.pair_nanos += o.pair_nanos;
        self.wait_nanos += o.wait_nanos;
        self.max_wait = self.max_wait.max(o.max_wait);
    }
}

/// What a retry wrapper did around one call.
struct Cost {
    retries: u32,
    /// Wrapper time not spent inside the calls: the sleeps between attempts.
    waited: Duration,
}

/// The wrapper around one spawn.
#[derive(Clone, Copy)]
enum Wrap<'a> {
    None,
    Etxtbsy10,
    Policy(&'a RetryPolicy),
}

impl Retry {
    /// What wraps the test's real spawn (the probe row's is not retried).
    fn around_spawn(&self) -> Wrap<'_> {
        match self {
            Retry::None | Retry::Probe(_) => Wrap::None,
            Retry::Etxtbsy10 => Wrap::Etxtbsy10,
            Retry::Policy(policy) => Wrap::Policy(policy),
        }
    }
}

/// Run `f` under `wrap`, and measure its retries and the time between attempts.
fn wrapped<T>(wrap: Wrap<'_>, mut f: impl FnMut() -> io::Result<T>) -> (io::Result<T>, Cost) {
    let start = Instant::now();
    let mut calls = 0u32;
    let mut in_calls = Duration::ZERO;
    let mut call = || {
        calls += 1;
        let t = Instant::now();
        let r = f();
        in_calls += t.elapsed();
        r
    };
    let result = match wrap {
        Wrap::None => call(),
        Wrap::Etxtbsy10 => retry_etxtbsy(10, call),
        Wrap::Policy(policy) => policy.run(call),
    };
    // One call: no retry, so no wait (not the few ns of the wrapper itself).
    let waited = match calls {
        0 | 1 => Duration::ZERO,
        _ => start.elapsed().saturating_sub(in_calls),
    };
    let cost = Cost {
        retries: calls.saturating_sub(1),
        waited,
    };
    (result, cost)
}

fn exec_direct(path: &Path) -> io::Result<ExitStatus> {
    Command::new(path).stdin(Stdio::null()).status()
}

/// How one exec of the stub ended.
enum Outcome {
    Ok,
    Busy,
    Other(String),
}

/// The code under test runs the stub: `sh -c '"$1"' sh <stub>`. dash and bash
/// exit 126 and print "...: Text file busy" when their exec is refused.
fn exec_via_shell(path: &Path, wrap: Wrap<'_>) -> (Outcome, Cost) {
    let mut out = None;
    let (result, cost) = wrapped(wrap, || {
        out = Some(
            Command::new("sh")
                .args(["-c", "\"$1\"", "sh"])
                .arg(path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()?,
        );
        Ok(())
    });
    let outcome = match (result, out) {
        (Err(e), _) => Outcome::Other(format!("spawning sh: {e}")),
        (Ok(()), Some(o)) if o.status.success() => Outcome::Ok,
        (Ok(()), Some(o)) => {
            let stderr = String::from_utf8_lossy(&o.stderr);
            if o.status.code() == Some(126) && stderr.to_lowercase().contains("busy") {
                Outcome::Busy
            } else {
                Outcome::Other(format!("sh exited {}: {}", o.status, stderr.trim()))
            }
        }
        (Ok(()), None) => unreachable!("a successful call stored its output"),
    };
    (outcome, cost)
}

fn classify(r: &io::Result<ExitStatus>) -> Outcome {
    match r {
        Ok(s) if s.success() => Outcome::Ok,
        Ok(s) => Outcome::Other(format!("stub exited {s}")),
        Err(e) if Classifier::etxtbsy().is_transient(e) => Outcome::Busy,
        Err(e) => Outcome::Other(format!("exec failed: {e}")),
    }
}

/// One install and exec; counts into `t`.
fn pair(row: &Row, exec: Exec, dir: &Path, name: &str, t: &mut Tally) -> Outcome {
    t.pairs += 1;
    let t0 = Instant::now();
    let installed = row.install.run(dir, name);
    t.install_nanos += t0.elapsed().as_nanos();
    let installed = match installed {
        Ok(i) => i,
        Err(e) => return Outcome::Other(format!("install failed: {e}")),
    };
    t.installs += 1;
    t.barrier_waits += installed.barrier_waited as u64;
    t.retries += u64::from(installed.retries);
    let mut waited = Duration::ZERO;
    let mut account = |c: Cost| {
        t.retries += u64::from(c.retries);
        t.wait_nanos += c.waited.as_nanos();
        waited += c.waited;
    };
    if let Retry::Probe(policy) = &row.retry {
        let (probe, cost) = wrapped(Wrap::Policy(policy), || exec_direct(&installed.path));
        account(cost);
        match classify(&probe) {
            Outcome::Ok => {}
            Outcome::Busy => return Outcome::Busy,
            Outcome::Other(why) => return Outcome::Other(format!("probe: {why}")),
        }
    }
    let outcome = match exec {
        Exec::Direct => {
            let (result, cost) = wrapped(row.retry.around_spawn(), || exec_direct(&installed.path));
            account(cost);
            classify(&result)
        }
        Exec::ViaShell => {
            let (outcome, cost) = exec_via_shell(&installed.path, row.retry.around_spawn());
            account(cost);
            outcome
        }
    };
    t.max_wait = t.max_wait.max(waited);
    outcome
}

/// Run one row; return its tally and the storm's spawns meanwhile.
fn run_row(row: &Row, exec: Exec, writers: usize, storm_threads: usize, n: usize) -> (Tally, u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let total = Mutex::new(Tally::default());
    let storm = ForkStorm::start(storm_threads);
    std::thread::scope(|s| {
        for w in 0..writers {
            let (dir, total) = (dir.path(), &total);
            s.spawn(move || {
                let name = format!("stub-{w}");
                let mut t = Tally::default();
                let mut shown = 0;
                for _ in 0..n {
                    let start = Instant::now();
                    let outcome = pair(row, exec, dir, &name, &mut t);
                    t.pair_nanos += start.elapsed().as_nanos();
                    match outcome {
                        Outcome::Ok => {}
                        Outcome::Busy => t.failures += 1,
                        Outcome::Other(why) => {
                            t.other_errors += 1;
                            if shown < 3 {
                                shown += 1;
                                eprintln!("{}: {why}", row.name);
                            }
                        }
                    }
                }
                total.lock().unwrap_or_else(|p| p.into_inner()).merge(t);
            });
        }
    });
    let storm_failures = storm.failures();
    if storm_failures > 0 {
        eprintln!(
            "{}: the storm failed to spawn `true` {storm_failures} times",
            row.name
        );
    }
    let spawns = storm.stop();
    (
        total.into_inner().unwrap_or_else(|p| p.into_inner()),
        spawns,
    )
}

/// Print one table; return the failures of flakeproof rows.
fn table(exec: Exec, writers: usize, storm: usize, iterations: usize) -> u64 {
    let failed_col = match exec {
        Exec::Direct => "failed: ETXTBSY",
        Exec::ViaShell => "failed: sh exit 126 \"busy\"",
    };
    println!(
        "| strategy | installs | {failed_col} | retries | barrier waited | storm forks | µs per install | µs per install+exec | µs waiting in retries per pair | longest wait, ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut flakeproof_failed = 0;
    for row in rows(exec) {
        let (t, spawns) = run_row(&row, exec, writers, storm, iterations);
        if row.flakeproof {
            flakeproof_failed += t.failures + t.other_errors;
        }
        let per_pair = |nanos: u128| nanos as f64 / 1e3 / t.pairs.max(1) as f64;
        println!(
            "| {} | {} | {} ({:.1} %) | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} |",
            row.name,
            t.installs,
            t.failures,
            100.0 * t.failures as f64 / t.installs.max(1) as f64,
            t.retries,
            t.barrier_waits,
            spawns,
            per_pair(t.install_nanos),
            per_pair(t.pair_nanos),
            per_pair(t.wait_nanos),
            t.max_wait.as_secs_f64() * 1e3,
        );
        if t.other_errors > 0 {
            println!("|  ↳ other errors | {} | | | | | | | | |", t.other_errors);
        }
    }
    flakeproof_failed
}

fn table_mode(writers: usize, storm: usize, iterations: usize) -> u64 {
    println!(
        "race_lab: {writers} writer threads x {iterations} installs+execs each per row, {storm} threads spawning `true` meanwhile"
    );
    println!("{}\n", machine());
    let start = Instant::now();
    println!(
        "### 1. The test execs the stub itself: `Command::new(stub).status()`, retried as the row says\n"
    );
    let mut failed = table(Exec::Direct, writers, storm, iterations);
    println!(
        "\n### 2. The code under test execs it: the test runs `sh -c \"$stub\"` (retried as the row says), the shell execs the stub\n"
    );
    failed += table(Exec::ViaShell, writers, storm, iterations);
    println!(
        "\n{:.1} s in all.\n\
         - retries: attempts beyond the first, of the exec (the probe's, in the probe row), summed over all pairs.\n\
         - barrier waited: installs where a forked child still held the new file's writable descriptor when\n  \
           flakeproof closed it; each of those would have been an ETXTBSY risk.\n\
         - µs per install and per install+exec: mean wall time per pair of one writer thread ({writers} run at once),\n  \
           the latter including the probe, retries and their sleeps.\n\
         - µs waiting in retries: wrapper time outside the calls (the sleeps), averaged over all pairs;\n  \
           longest wait: the most one pair waited.\n\
         - In table 2 the shell's exit status is all a wrapper around the test's spawn sees: ETXTBSY never reaches it.\n  \
           The probe row's failures are probes that gave up.",
        start.elapsed().as_secs_f64()
    );
    failed
}

// ---------------------------------------------------------------------------
// Soak mode

/// Log-scale histogram of nanoseconds: exact below 64, then 64 buckets per
/// power of two (each 1/64 of its octave wide, about 1.6 %). 30 KB, whatever
/// the number of samples.
struct Histogram {
    counts: Vec<u64>,
    n: u64,
    max: u64,
}

const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;

impl Histogram {
    fn new() -> Self {
        Histogram {
            counts: vec![0; (64 - SUB_BITS as usize + 1) * SUB],
            n: 0,
            max: 0,
        }
    }

    fn index(v: u64) -> usize {
        if v < SUB as u64 {
            return v as usize;
        }
        let shift = 63 - v.leading_zeros() - SUB_BITS;
        (shift as usize + 1) * SUB + ((v >> shift) as usize & (SUB - 1))
    }

    /// The largest value that falls in bucket `i`.
    fn upper(i: usize) -> u64 {
        if i < SUB {
            return i as u64;
        }
        let shift = (i / SUB - 1) as u32;
        let low = ((SUB + i % SUB) as u64) << shift;
        low + ((1u64 << shift) - 1)
    }

    fn record(&mut self, d: Duration) {
        let v = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.counts[Self::index(v)] += 1;
        self.n += 1;
        self.max = self.max.max(v);
    }

    fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.n += o.n;
        self.max = self.max.max(o.max);
    }

    /// Nearest rank, reported as its bucket's upper edge (never above the max).
    fn percentile(&self, pct: f64) -> u64 {
        if self.n == 0 {
            return 0;
        }
        let rank = ((pct / 100.0) * self.n as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::upper(i).min(self.max);
            }
        }
        self.max
    }

    fn row(&self, what: &str) -> String {
        let us = |ns: u64| ns as f64 / 1e3;
        format!(
            "| {what} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            us(self.percentile(50.0)),
            us(self.percentile(90.0)),
            us(self.percentile(99.0)),
            us(self.percentile(99.9)),
            us(self.max),
        )
    }
}

/// What the soak's writers share.
struct Soak {
    n: u64,
    done: AtomicU64,
    escapes: AtomicU64,
    other: AtomicU64,
    barrier_waits: AtomicU64,
    start: Instant,
}

impl Soak {
    fn other_error(&self, why: String) {
        if self.other.fetch_add(1, Ordering::Relaxed) < 10 {
            eprintln!("soak: {why}");
        }
    }

    fn progress(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if done * 10 / self.n == (done - 1) * 10 / self.n {
            return;
        }
        let secs = self.start.elapsed().as_secs_f64();
        eprintln!(
            "soak: {:>3} % ({done} of {} pairs), {} ETXTBSY escapes, {} other errors, {}, about {} to go",
            done * 100 / self.n,
            self.n,
            self.escapes.load(Ordering::Relaxed),
            self.other.load(Ordering::Relaxed),
            human(secs),
            human(secs / done as f64 * (self.n - done) as f64),
        );
    }
}

/// Seconds, or minutes past two of them.
fn human(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.1} s")
    } else {
        format!("{:.1} min", secs / 60.0)
    }
}

fn soak_mode(n: u64, writers: usize, storm_threads: usize) -> bool {
    println!(
        "race_lab soak: {n} install+exec pairs with StubInstaller::new() (drain barrier, durable), \
         {writers} writer threads, {storm_threads} threads spawning `true` meanwhile; \
         exec by plain Command::new(stub).status(), no retry"
    );
    println!("{}\n", machine());
    let dir = tempfile::tempdir().expect("temp dir");
    let installer = StubInstaller::new();
    let soak = Soak {
        n,
        done: AtomicU64::new(0),
        escapes: AtomicU64::new(0),
        other: AtomicU64::new(0),
        barrier_waits: AtomicU64::new(0),
        start: Instant::now(),
    };
    let (install_h, exec_h) = (Mutex::new(Histogram::new()), Mutex::new(Histogram::new()));
    let storm = ForkStorm::start(storm_threads);
    std::thread::scope(|s| {
        for w in 0..writers as u64 {
            // N spread over the writers: the first N % W do one more.
            let share = n / writers as u64 + u64::from(w < n % writers as u64);
            let (dir, installer, soak) = (dir.path(), &installer, &soak);
            let (install_h, exec_h) = (&install_h, &exec_h);
            s.spawn(move || {
                let name = format!("stub-{w}");
                let (mut ih, mut eh) = (Histogram::new(), Histogram::new());
                for _ in 0..share {
                    let t0 = Instant::now();
                    let installed = installer.install_with_report(dir, &name, BODY);
                    ih.record(t0.elapsed());
                    match installed {
                        Ok(report) => {
                            if report.busy_probes > 0 {
                                soak.barrier_waits.fetch_add(1, Ordering::Relaxed);
                            }
                            let t1 = Instant::now();
                            let status = Command::new(&report.path).status();
                            eh.record(t1.elapsed());
                            match status {
                                Ok(s) if s.success() => {}
                                Ok(s) => soak.other_error(format!("stub exited {s}")),
                                Err(e) if Classifier::etxtbsy().is_transient(&e) => {
                                    soak.escapes.fetch_add(1, Ordering::Relaxed);
                                }
                                Err(e) => soak.other_error(format!("exec failed: {e}")),
                            }
                        }
                        Err(e) => soak.other_error(format!("install failed: {e}")),
                    }
                    soak.progress();
                }
                install_h
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .merge(&ih);
                exec_h.lock().unwrap_or_else(|p| p.into_inner()).merge(&eh);
            });
        }
    });
    let elapsed = soak.start.elapsed();
    let storm_failures = storm.failures();
    let spawns = storm.stop();
    let done = soak.done.load(Ordering::Relaxed);
    let escapes = soak.escapes.load(Ordering::Relaxed);
    let other = soak.other.load(Ordering::Relaxed);
    let waits = soak.barrier_waits.load(Ordering::Relaxed);
    let pct = |k: u64| 100.0 * k as f64 / done.max(1) as f64;
    println!("| | |\n|---|---:|");
    println!("| pairs done | {done} |");
    println!("| ETXTBSY escapes | {escapes} |");
    println!("| other errors | {other} |");
    println!(
        "| installs where the barrier waited (busy_probes > 0) | {waits} ({:.2} %) |",
        pct(waits)
    );
    println!("| storm spawns of `true` (failed) | {spawns} ({storm_failures}) |");
    println!(
        "| elapsed | {} ({:.0} µs of wall time per pair) |",
        human(elapsed.as_secs_f64()),
        elapsed.as_secs_f64() * 1e6 / done.max(1) as f64
    );
    println!("\n| latency, µs | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|");
    println!(
        "{}",
        install_h
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .row("install")
    );
    println!(
        "{}",
        exec_h
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .row("exec (spawn + wait)")
    );
    println!(
        "\n(as each writer thread saw them, {writers} running at once; percentiles are the upper edges of \
         log-histogram buckets 1.6 % wide)"
    );
    if escapes == 0 {
        // P(0 escapes in N) = (1-p)^N = 0.05  =>  p = 1 - 0.05^(1/N).
        let bound = -(0.05f64.ln() / done.max(1) as f64).exp_m1();
        println!(
            "\n0 escapes in {done} pairs: the escape rate is below {bound:.3e} with 95 % confidence \
             (1 - 0.05^(1/N); rule of three: 3/N = {:.3e})",
            3.0 / done.max(1) as f64
        );
    } else {
        println!(
            "\n{escapes} escapes in {done} pairs: observed escape rate {:.3e}",
            escapes as f64 / done.max(1) as f64
        );
    }
    if done < 1_000_000 && done > 0 {
        println!(
            "(1,000,000 pairs at this rate: about {})",
            human(elapsed.as_secs_f64() / done as f64 * 1e6)
        );
    }
    escapes == 0 && other == 0
}

// ---------------------------------------------------------------------------

fn usage(problem: &str) -> ! {
    eprintln!("race_lab: {problem}\n{USAGE}");
    std::process::exit(2)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut writers, mut storm, mut iterations, mut soak) = (4, 2, 500, None);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!(
                "race_lab: reproduces the ETXTBSY race and compares install strategies\n{USAGE}"
            );
            return;
        }
        let mut value = || -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage(&format!("{flag} needs a whole number")))
        };
        match flag.as_str() {
            "--writers" => writers = value().max(1),
            "--storm" => storm = value(),
            "--iterations" => iterations = value().max(1),
            "--soak" => soak = Some(value().max(1) as u64),
            _ => usage(&format!("unknown argument {flag:?}")),
        }
    }
    let ok = match soak {
        Some(n) => soak_mode(n, writers, storm),
        None => {
            let failed = table_mode(writers, storm, iterations);
            if failed > 0 {
                eprintln!(
                    "\nflakeproof rows had {failed} failures: that is a bug, please report it"
                );
            }
            failed == 0
        }
    };
    if !ok {
        std::process::exit(1);
    }
}

fn machine() -> String {
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| std::env::consts::OS.into(), |s| s.trim().to_string());
    format!(
        "kernel {kernel}, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_falls_in_the_bucket_whose_edges_hold_it() {
        let mut v = Some(0u64);
        while let Some(x) = v {
            let i = Histogram::index(x);
            assert!(x <= Histogram::upper(i), "{x} above bucket {i}");
            assert!(
                i == 0 || x > Histogram::upper(i - 1),
                "{x} below bucket {i}"
            );
            assert!(
                (Histogram::upper(i) - x) as f64 <= x as f64 / 64.0,
                "{x}: bucket too wide"
            );
            // About 350 values up to u64::MAX, then None.
            v = x.checked_add(x / 8 + 1);
        }
        assert!(Histogram::index(u64::MAX) < Histogram::new().counts.len());
    }

    #[test]
    fn percentiles_are_nearest_rank_within_a_bucket() {
        let mut h = Histogram::new();
        for us in 1..=1000u64 {
            h.record(Duration::from_micros(us));
        }
        for (pct, want) in [(50.0, 500_000u64), (90.0, 900_000), (99.9, 999_000)] {
            let got = h.percentile(pct);
            assert!(got >= want && got <= want + want / 64, "p{pct}: {got}");
        }
        assert_eq!(h.percentile(100.0), 1_000_000);
        assert_eq!(h.max, 1_000_000);
    }
}
