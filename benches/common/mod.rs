//! A tiny harness for ratio benchmarks: every case is timed in each round,
//! rounds interleave the cases (so a noisy moment on a shared machine hits
//! all of them alike), and each case reports its median round.

use std::time::Instant;

pub struct Case<'a> {
    pub name: &'a str,
    /// Runs the measured operation `n` times.
    pub run: Box<dyn FnMut(u64) + 'a>,
}

/// Median nanoseconds per operation of each case, in input order.
pub fn measure(cases: &mut [Case<'_>], rounds: usize, per_round: u64) -> Vec<f64> {
    let mut samples = vec![Vec::with_capacity(rounds); cases.len()];
    for case in cases.iter_mut() {
        (case.run)(per_round.div_ceil(10)); // warm up: page cache, allocator
    }
    for _ in 0..rounds {
        for (case, s) in cases.iter_mut().zip(&mut samples) {
            let t0 = Instant::now();
            (case.run)(per_round);
            s.push(t0.elapsed().as_nanos() as f64 / per_round as f64);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        })
        .collect()
}

/// `--rounds N` and similar from the command line (cargo bench passes
/// `--bench` too, which is ignored).
pub fn flag(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

pub fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}
