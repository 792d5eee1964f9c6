//! `flakeproof stress`: run a command many times, several at once, to show
//! that a flake is real (and later that a fix holds): runs, failures, the
//! failure rate with its 95 % interval, the failures' stderr signatures
//! grouped, and durations.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::exit::{self, fail};
use crate::term::{Paint, Progress};

/// The options of one stress run.
pub(crate) struct Options<'a> {
    pub(crate) runs: u64,
    pub(crate) jobs: usize,
    pub(crate) pressure: usize,
    pub(crate) until_fail: bool,
    pub(crate) json: bool,
    pub(crate) cmd: &'a [OsString],
}

/// The variable each run of CMD finds its index in (from 0): a run can
/// vary with it, or name its files after it.
pub(crate) const RUN_ENV: &str = "FLAKEPROOF_STRESS_RUN";

/// What all the runs came to.
#[derive(Default)]
struct Tally {
    runs: u64,
    failed: u64,
    signatures: BTreeMap<String, u64>,
    durations: Vec<Duration>,
    /// `--until-fail`: the first failure's stderr.
    first_failure: Option<(u64, String)>,
    spawn_error: Option<std::io::Error>,
    /// On a terminal: runs done and failed so far.
    progress: Option<Progress>,
}

#[derive(Serialize)]
struct Report<'a> {
    runs: u64,
    failed: u64,
    failure_rate: f64,
    /// Wilson score interval, 95 %.
    rate_low: f64,
    rate_high: f64,
    signatures: &'a BTreeMap<String, u64>,
    p50_ms: f64,
    p99_ms: f64,
}

pub(crate) fn stress(o: &Options<'_>) -> ExitCode {
    if o.runs == 0 || o.jobs == 0 {
        return fail(exit::OWN_FAILURE, "-n and -j must be at least 1");
    }
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let tally = Mutex::new(Tally {
        progress: Some(Progress::new()),
        ..Tally::default()
    });
    std::thread::scope(|s| {
        // Busy threads in this process: they add scheduling pressure (fewer
        // free cores, later wake-ups for CMD's threads). They hold none of
        // CMD's descriptors, so they can't widen CMD's own ETXTBSY window.
        for _ in 0..o.pressure {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            });
        }
        let workers: Vec<_> = (0..o.jobs)
            .map(|_| {
                s.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= o.runs {
                            break;
                        }
                        let one = run_once(o.cmd, k);
                        let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                        match one {
                            Ok((ok, stderr, took)) => {
                                t.runs += 1;
                                t.durations.push(took);
                                if !ok {
                                    t.failed += 1;
                                    *t.signatures.entry(signature(&stderr)).or_default() += 1;
                                    if o.until_fail && t.first_failure.is_none() {
                                        t.first_failure = Some((k, stderr));
                                        stop.store(true, Ordering::Relaxed);
                                    }
                                }
                            }
                            Err(e) => {
                                t.spawn_error.get_or_insert(e);
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                        let line = format!(
                            "flakeproof stress: {}/{} run(s), {} failed",
                            t.runs, o.runs, t.failed
                        );
                        if let Some(p) = &mut t.progress {
                            p.show(line);
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
        stop.store(true, Ordering::Relaxed);
    });
    let mut t = tally.into_inner().unwrap_or_else(|p| p.into_inner());
    // Off the screen before anything else is written.
    drop(t.progress.take());
    if let Some(e) = t.spawn_error.take() {
        return exit::start_failure(&o.cmd[0], &e);
    }
    report(&mut t, o.json);
    if t.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One run: success, stderr, how long it took.
fn run_once(cmd: &[OsString], k: u64) -> std::io::Result<(bool, String, Duration)> {
    let start = Instant::now();
    let out = Command::new(&cmd[0])
        .args(&cmd[1..])
        .env(RUN_ENV, k.to_string())
        .stdin(Stdio::null())
        .output()?;
    // Test runners (go test, cargo test, node --test) report a failure on
    // stdout: it follows stderr, so the signature finds the OS's words in
    // either, and `--until-fail` shows both.
    let mut said = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() && !out.stdout.is_empty() {
        said.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    Ok((out.status.success(), said, start.elapsed()))
}

/// What a failure said, grouped: the OS's words for the error when there
/// are some, in any spelling ("Text file busy" from a shell or a Python
/// traceback, Go's "text file busy", Node's "ETXTBSY"), else its last line
/// with numbers blanked (pids, addresses, counts differ from run to run).
fn signature(stderr: &str) -> String {
    const KNOWN: &[(&str, &[&str])] = &[
        ("Text file busy", &["text file busy", "etxtbsy"]),
        (
            "Device or resource busy",
            &["device or resource busy", "ebusy"],
        ),
        ("Permission denied", &["permission denied", "eacces"]),
        (
            "No such file or directory",
            &["no such file or directory", "enoent"],
        ),
        (
            "Resource temporarily unavailable",
            &["resource temporarily unavailable", "eagain"],
        ),
    ];
    let lower = stderr.to_lowercase();
    if let Some((name, _)) = KNOWN
        .iter()
        .find(|(_, spellings)| spellings.iter().any(|s| lower.contains(s)))
    {
        return (*name).to_owned();
    }
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
    match last {
        None => "(no stderr; non-zero exit)".to_owned(),
        Some(l) => l
            .trim()
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect(),
    }
}

/// The Wilson score interval of `k` failures in `n` runs, 95 %: honest at
/// 0 failures and at small `n`, where the normal approximation isn't.
pub(crate) fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.96_f64);
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let center = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / denom;
    ((center - half).max(0.0), (center + half).min(1.0))
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(t: &mut Tally, json: bool) {
    t.durations.sort();
    let (low, high) = wilson(t.failed, t.runs);
    let r = Report {
        runs: t.runs,
        failed: t.failed,
        failure_rate: if t.runs == 0 {
            0.0
        } else {
            t.failed as f64 / t.runs as f64
        },
        rate_low: low,
        rate_high: high,
        signatures: &t.signatures,
        p50_ms: percentile(&t.durations, 0.5),
        p99_ms: percentile(&t.durations, 0.99),
    };
    if json {
        match serde_json::to_string(&r) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("flakeproof: the report: {e}"),
        }
    } else {
        let paint = Paint::stdout();
        println!(
            "flakeproof stress: {} run(s), {} ({:.2} %, 95 % interval {:.2} to {:.2} %); \
             duration p50 {:.1} ms, p99 {:.1} ms",
            r.runs,
            paint.verdict(r.failed > 0, format_args!("{} failed", r.failed)),
            r.failure_rate * 100.0,
            low * 100.0,
            high * 100.0,
            r.p50_ms,
            r.p99_ms
        );
        let mut sigs: Vec<_> = t.signatures.iter().collect();
        sigs.sort_by(|a, b| b.1.cmp(a.1));
        for (sig, n) in sigs {
            println!("  {n:>6} × {}", paint.bad(sig));
        }
    }
    if let Some((k, stderr)) = &t.first_failure {
        eprintln!("flakeproof stress: the first failure (run {k}) wrote:");
        let _ = std::io::stderr().write_all(stderr.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wilson_interval_is_honest_at_zero_and_brackets_the_rate() {
        let (lo, hi) = wilson(0, 100);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.03 && hi < 0.04, "{hi}"); // the rule of three, nearly
        let (lo, hi) = wilson(37, 200);
        assert!(
            lo < 0.185 && 0.185 < hi && lo > 0.13 && hi < 0.25,
            "{lo} {hi}"
        );
    }

    #[test]
    fn signatures_group_the_os_words_and_blank_numbers() {
        assert_eq!(
            signature("sh: 1: /tmp/x/stub-7: Text file busy\n"),
            "Text file busy"
        );
        assert_eq!(
            signature("OSError: [Errno 26] Text file busy: '/tmp/a'"),
            "Text file busy"
        );
        assert_eq!(
            signature("panic at 0x1234, run 17\n\n"),
            "panic at #x####, run ##"
        );
        assert_eq!(signature(""), "(no stderr; non-zero exit)");
        // Go's os/exec and Node's spellings.
        assert_eq!(
            signature("stubs_test.go:31: fork/exec /tmp/T/stub-0: text file busy\nFAIL\n"),
            "Text file busy"
        );
        assert_eq!(
            signature("Error: spawnSync /tmp/stub-3 ETXTBSY\n"),
            "Text file busy"
        );
    }
}
