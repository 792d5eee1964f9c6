//! What a kernel plan costs the thread it is on, as ratios measured in one
//! run (issue 21's targets), on tmpfs (`/dev/shm`) where there is one:
//!
//! - 10,000 `std::fs::metadata` calls on a thread whose plan names only
//!   `rename`: the filter doesn't list `statx`, so the kernel answers
//!   "allowed" from its per-filter cache. Target: at most 1.05x a thread
//!   with no plan.
//! - 10,000 16-byte `write`s under `write(*/nomatch)=EIO`: each is handed to
//!   the supervisor, which reads the descriptor's path and consults the
//!   plan. Target: at most 30 µs more per call.
//! - A thread that never activates one, timed before any thread of the
//!   process had a filter and again while two do. Target: no cost (the
//!   filters are per thread).
//!
//! Each case runs on a thread of its own (a thread keeps its filter for
//! life), all driven in interleaved rounds; the figures are medians.
//!
//!     cargo bench --bench kernel_plan [-- --rounds 9]

#[allow(dead_code)] // the ratio harness: this bench interleaves its own rounds
mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use common::{flag, verdict};
use flakeproof::Op;
use flakeproof::fault::FaultPlan;

const CALLS: u32 = 10_000;

#[derive(Clone, Copy)]
enum Work {
    Metadata,
    Writes,
}

/// A thread that runs `work` on `path` each time it is asked, under a
/// kernel plan (`plan`) or none; it answers with ns per call, and at the
/// end with how many calls its plan counted.
struct Worker {
    go: mpsc::Sender<bool>,
    done: mpsc::Receiver<f64>,
}

impl Worker {
    fn start(plan: Option<&'static str>, work: Work, path: PathBuf) -> Worker {
        let (go, wait) = mpsc::channel::<bool>();
        let (report, done) = mpsc::channel();
        std::thread::spawn(move || {
            let guard = plan.map(|p| {
                FaultPlan::parse(p)
                    .unwrap()
                    .activate_in_kernel()
                    .unwrap_or_else(|e| {
                        eprintln!("kernel plans can't work here: {e}");
                        std::process::exit(1)
                    })
            });
            let mut file = std::fs::File::create(&path).unwrap();
            while let Ok(true) = wait.recv() {
                let t0 = Instant::now();
                for _ in 0..CALLS {
                    match work {
                        Work::Metadata => drop(std::fs::metadata(&path).unwrap()),
                        Work::Writes => file.write_all(b"0123456789abcdef").unwrap(),
                    }
                }
                let ns = t0.elapsed().as_nanos() as f64 / f64::from(CALLS);
                report.send(ns).unwrap();
            }
            let counted = guard.map_or(0, |g| g.attempts(Op::Write, "*"));
            report.send(counted as f64).unwrap();
        });
        Worker { go, done }
    }

    fn time(&self) -> f64 {
        self.go.send(true).unwrap();
        self.done.recv().unwrap()
    }

    fn finish(self) -> f64 {
        self.go.send(false).unwrap();
        self.done.recv().unwrap()
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds = flag("--rounds", 9) as usize;
    let base = if Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    };
    let dir = tempfile::tempdir_in(base).unwrap();
    let at = |name: &str| dir.path().join(name);

    // A plain thread, before any thread of this process has a filter.
    let plain = Worker::start(None, Work::Metadata, at("plain"));
    let before = median((0..rounds).map(|_| plain.time()).collect());

    let named_other = Worker::start(Some("rename=EIO"), Work::Metadata, at("meta"));
    let plain_writes = Worker::start(None, Work::Writes, at("w-plain"));
    let handed = Worker::start(Some("write(*/nomatch)=EIO"), Work::Writes, at("w-kernel"));
    let workers = [&plain, &named_other, &plain_writes, &handed];
    let mut samples = vec![Vec::new(); workers.len()];
    for _ in 0..rounds {
        for (w, s) in workers.iter().zip(&mut samples) {
            s.push(w.time());
        }
    }
    let m: Vec<f64> = samples.into_iter().map(median).collect();
    println!(
        "kernel plans on a thread: {CALLS} calls per round, median of {rounds} interleaved \
         rounds (files on {base})"
    );
    println!(
        "  metadata, no plan                      {:>9.3} us/call",
        m[0] / 1e3
    );
    let r = m[1] / m[0];
    println!(
        "  metadata, plan names only rename       {:>9.3} us/call {r:>6.3}x (target <= 1.05x: {})",
        m[1] / 1e3,
        verdict(r <= 1.05)
    );
    println!(
        "  write 16 B, no plan                    {:>9.3} us/call",
        m[2] / 1e3
    );
    let extra = (m[3] - m[2]) / 1e3;
    println!(
        "  write 16 B, write(*/nomatch)=EIO       {:>9.3} us/call {extra:>+7.2} us (target <= 30 us: {})",
        m[3] / 1e3,
        verdict(extra <= 30.0)
    );
    let r = m[0] / before;
    println!(
        "  a thread with no plan, before any filter {:>7.3} us/call; while two threads have one {:.3}x (target: no cost)",
        before / 1e3,
        r
    );
    let counted = handed.finish();
    // Every write was handed over and consulted the plan: the figure above
    // is the round trip's, not a filter that let the writes by.
    assert_eq!(counted as usize, rounds * CALLS as usize);
    for w in [plain, named_other, plain_writes] {
        w.finish();
    }
}
