//! What a plan saw: every call that consulted it, in order, kept as runs of
//! identical calls, bounded; and counts that the bound does not change.
//! Pure.
//!
//! Memory stays bounded whatever the run: at most `limit` runs in the
//! record, at most `limit` (operation, path) counters for the runs that left
//! it, and per-operation totals. Counts for `*` are always exact; counts for
//! a narrower pattern are exact unless more than `limit` distinct paths left
//! the record (then calls on the paths past that are counted in the totals
//! only, and a narrower count can come out low: `overflowed` says so).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::plan::glob_match;
use crate::classify::Op;

/// What happened to one call that consulted a plan.
///
/// ```
/// use flakeproof::{fault::{FaultPlan, Outcome}, fs};
/// let g = FaultPlan::parse("remove_file=delay(1ms)").unwrap().activate();
/// let _ = fs::remove_file("/nonexistent");
/// assert_eq!(g.calls()[0].outcome, Outcome::Delayed(std::time::Duration::from_millis(1)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// No rule fired: the call went to the OS.
    Passed,
    /// Delayed, then made.
    Delayed(Duration),
    /// Failed with this raw OS error (after `delayed`), without being made.
    Injected {
        /// The injected `raw_os_error()`.
        raw_os_error: i32,
        /// Any delay that came first.
        delayed: Duration,
    },
}

/// One call that consulted a plan, in the order they happened.
///
/// ```
/// use flakeproof::{fault::FaultPlan, fs, Op};
/// let g = FaultPlan::parse("create_dir=EEXIST").unwrap().activate();
/// let _ = fs::create_dir("/nonexistent/d");
/// let call = &g.calls()[0];
/// assert_eq!((call.op, call.injected()), (Op::CreateDir, true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Call {
    /// The operation.
    pub op: Op,
    /// The path it touched (the destination, for rename and copy; the
    /// program, for spawn).
    pub path: PathBuf,
    /// What the plan did to it.
    pub outcome: Outcome,
}

impl Call {
    /// Did the plan fail this call?
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs};
    /// let g = FaultPlan::parse("remove_file=EBUSY@2").unwrap().activate();
    /// let _ = fs::remove_file("/nonexistent/a");
    /// let _ = fs::remove_file("/nonexistent/a");
    /// let calls = g.calls();
    /// assert!(!calls[0].injected() && calls[1].injected());
    /// ```
    pub fn injected(&self) -> bool {
        matches!(self.outcome, Outcome::Injected { .. })
    }
}

/// How many entries (runs of identical consecutive calls) a plan keeps in its
/// record by default; older ones leave the record but stay in the counts.
pub(crate) const DEFAULT_LIMIT: usize = 100_000;

/// A run of identical consecutive calls: a hot loop over one path costs one
/// entry, and an unchanged path shares the previous entry's allocation.
struct Run {
    op: Op,
    path: Arc<Path>,
    outcome: Outcome,
    times: usize,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    attempts: usize,
    injected: usize,
}

pub(crate) struct Record {
    runs: VecDeque<Run>,
    /// At most this many runs: a hot loop over one path stays one entry and
    /// never evicts anything.
    limit: usize,
    /// Counts of the calls that left the ring, per (op, path), for at most
    /// `limit` keys.
    evicted: HashMap<(Op, Arc<Path>), Counts>,
    /// Every call ever recorded, per operation (indexed by `Op as usize`):
    /// exact counts for `*`.
    totals: [Counts; Op::ALL.len()],
    /// Calls that left the ring when `evicted` was full.
    overflowed: u64,
    dropped: u64,
}

impl Record {
    pub(crate) fn new(limit: usize) -> Self {
        Record {
            runs: VecDeque::new(),
            limit: limit.max(1),
            evicted: HashMap::new(),
            totals: [Counts::default(); Op::ALL.len()],
            overflowed: 0,
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, op: Op, path: &Path, outcome: Outcome) {
        let total = &mut self.totals[op as usize];
        total.attempts += 1;
        total.injected += matches!(outcome, Outcome::Injected { .. }) as usize;
        let same_path = |r: &Run| r.path.as_os_str() == path.as_os_str();
        match self.runs.back_mut() {
            Some(r) if r.op == op && r.outcome == outcome && same_path(r) => r.times += 1,
            last => {
                let path = match last {
                    Some(r) if same_path(r) => r.path.clone(),
                    _ => Arc::from(path),
                };
                if self.runs.len() == self.limit {
                    self.evict_oldest();
                }
                self.runs.push_back(Run {
                    op,
                    path,
                    outcome,
                    times: 1,
                });
            }
        }
    }

    /// Fold the oldest run into the counts: one hash per run that leaves,
    /// not per call.
    #[cold]
    fn evict_oldest(&mut self) {
        let Some(front) = self.runs.pop_front() else {
            return;
        };
        self.dropped += front.times as u64;
        let key = (front.op, front.path);
        if self.evicted.len() >= self.limit && !self.evicted.contains_key(&key) {
            self.overflowed += front.times as u64;
            return;
        }
        let counts = self.evicted.entry(key).or_default();
        counts.attempts += front.times;
        if matches!(front.outcome, Outcome::Injected { .. }) {
            counts.injected += front.times;
        }
    }

    pub(crate) fn calls(&self) -> Vec<Call> {
        let mut calls = Vec::new();
        for r in &self.runs {
            let call = Call {
                op: r.op,
                path: r.path.to_path_buf(),
                outcome: r.outcome,
            };
            calls.extend(std::iter::repeat_n(call, r.times));
        }
        calls
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Calls whose paths the record could no longer keep (see the module
    /// docs): 0 means every count is exact.
    pub(crate) fn overflowed(&self) -> u64 {
        self.overflowed
    }

    /// (attempts, injected) of `op` on paths matching `pattern`.
    pub(crate) fn count(&self, op: Op, pattern: &str) -> (usize, usize) {
        if pattern == "*" {
            let t = self.totals[op as usize];
            return (t.attempts, t.injected);
        }
        let mut n = (0, 0);
        for r in self.runs.iter().filter(|r| r.op == op) {
            if glob_match(pattern, &r.path.to_string_lossy()) {
                n.0 += r.times;
                n.1 += r.times * matches!(r.outcome, Outcome::Injected { .. }) as usize;
            }
        }
        for ((o, path), c) in &self.evicted {
            if *o == op && glob_match(pattern, &path.to_string_lossy()) {
                n.0 += c.attempts;
                n.1 += c.injected;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAIL: Outcome = Outcome::Injected {
        raw_os_error: 16,
        delayed: Duration::ZERO,
    };

    #[test]
    fn a_bounded_record_keeps_the_newest_runs_and_exact_counts() {
        let mut r = Record::new(3);
        for i in 0..10 {
            let outcome = if i % 2 == 0 { FAIL } else { Outcome::Passed };
            r.push(Op::Rename, Path::new(&format!("/d/{}", i % 3)), outcome);
        }
        let calls = r.calls();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[2].path, Path::new("/d/0")); // the 10th call, i = 9
        assert_eq!(r.dropped(), 7);
        assert_eq!(r.count(Op::Rename, "*"), (10, 5));
        assert_eq!(r.count(Op::Rename, "/d/1"), (3, 1));
        assert_eq!(r.count(Op::Spawn, "*"), (0, 0));
        // A hot loop over one path is one entry: it evicts nothing more.
        for _ in 0..1000 {
            r.push(Op::Write, Path::new("/hot"), Outcome::Passed);
        }
        assert_eq!(r.dropped(), 8);
        assert_eq!(r.count(Op::Write, "/hot"), (1000, 0));
        assert_eq!(r.count(Op::Rename, "*"), (10, 5));
    }

    #[test]
    fn identical_calls_share_one_run() {
        let mut r = Record::new(DEFAULT_LIMIT);
        for _ in 0..1000 {
            r.push(Op::Write, Path::new("/x"), Outcome::Passed);
        }
        assert_eq!(r.runs.len(), 1);
        assert_eq!(r.count(Op::Write, "/x"), (1000, 0));
        assert_eq!(r.calls().len(), 1000);
    }

    #[test]
    fn memory_stays_bounded_with_a_new_path_on_every_call() {
        let mut r = Record::new(4);
        for i in 0..1000 {
            r.push(Op::OpenWrite, Path::new(&format!("/t/.tmp{i}")), FAIL);
        }
        assert_eq!(r.runs.len(), 4);
        assert_eq!(r.evicted.len(), 4);
        assert_eq!(r.count(Op::OpenWrite, "*"), (1000, 1000)); // exact
        assert_eq!(r.overflowed(), 1000 - 8);
        // The newest and the first evicted paths are still counted by path.
        assert_eq!(r.count(Op::OpenWrite, "/t/.tmp999"), (1, 1));
        assert_eq!(r.count(Op::OpenWrite, "/t/.tmp0"), (1, 1));
    }
}
