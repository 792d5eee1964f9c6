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
//!
//! Paths are interned: the first `limit` distinct paths are stored once, in
//! a table, and a run on one holds its index, so a call on a path in the
//! table costs one hash of its bytes and no allocation. A path that comes
//! after the table filled up gets a copy of its own, kept beside the ring
//! (at most one per run). Before, every run allocated its own `Arc<Path>`,
//! and a run that left the ring was counted under a SipHash of its path's
//! components: together about 110 ns of a 170 ns call when each call's
//! path differed from the previous call's.

use std::collections::{HashMap, VecDeque};
use std::ffi::OsStr;
use std::hash::{BuildHasherDefault, Hasher};
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
    /// The process that made the call: its id (the thread group's, not the
    /// thread's). For a call made in this (the test) process,
    /// [`std::process::id()`]; [`exe`](Self::exe) tells the two apart.
    pub pid: u32,
    /// That child's executable when it made the call (`None` for this
    /// process). For an exec, the program that exec'd, not the one exec'd.
    pub exe: Option<PathBuf>,
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
/// entry. Plain data, its path an index, so that moving runs in and out of
/// the ring is a copy: with an `Arc` in the run (for the paths past the
/// table), the moves and drop checks cost ~17 ns a call.
#[derive(Clone, Copy)]
struct Run {
    op: Op,
    /// The path's id in the record's table, or [`OWN`].
    path: usize,
    outcome: Outcome,
    /// Who made the calls: 0 for this process, else 1 + an index into
    /// [`Record::children`].
    who: u32,
    times: usize,
}

/// The `path` of a run whose path came after the table filled up: it is in
/// `Record::own`, which holds one for each such run, in the same order.
const OWN: usize = usize::MAX;

#[derive(Default, Clone, Copy)]
struct Counts {
    attempts: usize,
    injected: usize,
}

/// A path's hash. The paths come from the program under test, not from an
/// adversary, so SipHash's flood resistance buys nothing here; and hashing
/// the bytes, not `Path`'s components (as `Path: Hash` does), skips a
/// component walk. Each 16 bytes are folded by one 64 x 64 -> 128-bit
/// multiply, independently of the others (as foldhash does), so the
/// multiplies overlap.
#[inline]
fn hash_path(bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ];
    let fold = |a: u64, b: u64| {
        let r = u128::from(a) * u128::from(b);
        r as u64 ^ (r >> 64) as u64
    };
    let words = |c: &[u8; 16]| {
        let (a, b) = c.split_at(8);
        (
            u64::from_le_bytes(a.try_into().unwrap()),
            u64::from_le_bytes(b.try_into().unwrap()),
        )
    };
    let len = bytes.len();
    let mut acc = (len as u64).wrapping_mul(K[3]);
    if let Some(body) = len.checked_sub(16) {
        // The chunks before the last 16 bytes; the seed, different for
        // each, keeps equal chunks at different places apart.
        let mut seed = K[0];
        for c in bytes[..body].chunks_exact(16) {
            let (a, b) = words(c.try_into().unwrap());
            acc = acc.wrapping_add(fold(a ^ seed, b ^ K[1]));
            seed = seed.wrapping_add(K[2]);
        }
        // The last 16 bytes, overlapping the chunks before if need be.
        let (a, b) = words(bytes[body..].try_into().unwrap());
        acc = acc.wrapping_add(fold(a ^ K[2], b ^ K[3]));
    } else if len >= 8 {
        let a = u64::from_le_bytes(bytes[..8].try_into().unwrap());
        let b = u64::from_le_bytes(bytes[len - 8..].try_into().unwrap());
        acc = acc.wrapping_add(fold(a ^ K[0], b ^ K[1]));
    } else {
        let small = bytes.iter().fold(0, |w, &b| w << 8 | u64::from(b));
        acc = acc.wrapping_add(fold(small ^ K[0], K[1]));
    }
    fold(acc ^ K[2], K[1])
}

/// The table's keys are [`hash_path`]'s, already mixed: hashing them again
/// would only cost time.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; this keeps the hasher total all the same.
        self.0 = hash_path(bytes) ^ self.0.rotate_left(5);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A path's length and last 8 bytes: paths that differ mostly differ there
/// (another file in the same directory), so comparing these first turns a
/// new path away without reading the previous one.
#[derive(Clone, Copy, PartialEq, Default)]
struct Tail(usize, u64);

impl Tail {
    #[inline]
    fn of(bytes: &[u8]) -> Tail {
        let last = match bytes.len().checked_sub(8) {
            Some(at) => u64::from_le_bytes(bytes[at..].try_into().unwrap()),
            None => bytes.iter().fold(0, |w, &b| w << 8 | u64::from(b)),
        };
        Tail(bytes.len(), last)
    }
}

/// The path table: the first `limit` distinct paths the record sees, each
/// stored once, with the record's (operation, path) counters for the runs
/// on it that left the ring (only a path in the table can have one: see
/// [`Record::evict_oldest`]).
///
/// Entries are never removed. A table that forgot paths as their runs left
/// would, on a run of never-repeated paths, insert and remove one per call,
/// and with the default limit each of those misses the cache (measured:
/// 630 ns a call); a full table instead gives a new path its own copy.
#[derive(Default)]
struct Paths {
    /// A path's hash to its slot (the newest, if paths share a hash: the
    /// others chain through [`Slot::next`]). Keyed by the hash, not the
    /// path, so a probe compares integers and only a hit reads a path.
    ids: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    slots: Vec<Slot>,
}

struct Slot {
    path: Arc<OsStr>,
    /// The next slot whose path has the same hash.
    next: Option<usize>,
    /// Counts of the calls on this path that left the ring, per operation.
    evicted: Counters,
}

/// A path's counters: the first operation's inline, as most paths see one
/// (so that counting a run that leaves reads no further memory), any other
/// operations' after it.
#[derive(Default)]
struct Counters {
    first: Option<(Op, Counts)>,
    more: Vec<(Op, Counts)>,
}

impl Counters {
    fn get_mut(&mut self, op: Op) -> Option<&mut Counts> {
        match &mut self.first {
            Some((o, c)) if *o == op => Some(c),
            Some(_) => self.more.iter_mut().find(|(o, _)| *o == op).map(|(_, c)| c),
            None => None,
        }
    }

    fn insert(&mut self, op: Op, counts: Counts) {
        match self.first {
            None => self.first = Some((op, counts)),
            Some(_) => self.more.push((op, counts)),
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(Op, Counts)> {
        self.first.iter().chain(&self.more)
    }
}

impl Paths {
    fn get(&self, path: &OsStr, hash: u64) -> Option<usize> {
        let mut id = self.ids.get(&hash).copied();
        while let Some(i) = id {
            let slot = &self.slots[i];
            if slot.path.as_encoded_bytes() == path.as_encoded_bytes() {
                return Some(i);
            }
            id = slot.next;
        }
        None
    }

    fn insert(&mut self, path: Arc<OsStr>, hash: u64) -> usize {
        let id = self.slots.len();
        let next = self.ids.insert(hash, id);
        self.slots.push(Slot {
            path,
            next,
            evicted: Counters::default(),
        });
        id
    }
}

pub(crate) struct Record {
    runs: VecDeque<Run>,
    /// The paths of the runs whose `path` is [`OWN`], oldest first.
    own: VecDeque<Arc<OsStr>>,
    /// At most this many runs: a hot loop over one path stays one entry and
    /// never evicts anything.
    limit: usize,
    paths: Paths,
    /// The newest run's path's [`Tail`].
    last: Tail,
    /// How many (op, path) counters `paths` holds: at most `limit`.
    evicted_keys: usize,
    /// Every call ever recorded, per operation (indexed by `Op as usize`):
    /// exact counts for `*`.
    totals: [Counts; Op::ALL.len()],
    /// Calls that left the ring when the counters were full.
    overflowed: u64,
    dropped: u64,
    /// The (process id, executable) pairs of the child processes whose
    /// calls are in the record: one entry per pair, however many calls.
    children: Vec<(u32, Arc<Path>)>,
}

impl Record {
    pub(crate) fn new(limit: usize) -> Self {
        Record {
            runs: VecDeque::new(),
            own: VecDeque::new(),
            limit: limit.max(1),
            paths: Paths::default(),
            last: Tail::default(),
            evicted_keys: 0,
            totals: [Counts::default(); Op::ALL.len()],
            overflowed: 0,
            dropped: 0,
            children: Vec::new(),
        }
    }

    /// The path of the newest run.
    fn newest_path(&self, r: &Run) -> &OsStr {
        match r.path {
            OWN => self.own.back().expect("an OWN run has its path in `own`"),
            id => &self.paths.slots[id].path,
        }
    }

    pub(crate) fn push(&mut self, op: Op, path: &Path, outcome: Outcome) {
        self.push_from(op, path, outcome, 0);
    }

    /// The `who` for a call made by the child process `pid` running `exe`.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))] // used by the Linux supervisor only
    pub(crate) fn child(&mut self, pid: u32, exe: &Path) -> u32 {
        // The newest first: a child's calls come in runs.
        let found = self
            .children
            .iter()
            .rposition(|(p, e)| *p == pid && **e == *exe);
        let i = found.unwrap_or_else(|| {
            self.children.push((pid, Arc::from(exe)));
            self.children.len() - 1
        });
        i as u32 + 1
    }

    /// Record a call by `who` (0: this process; else from [`Record::child`]).
    pub(crate) fn push_from(&mut self, op: Op, path: &Path, outcome: Outcome, who: u32) {
        let total = &mut self.totals[op as usize];
        total.attempts += 1;
        total.injected += matches!(outcome, Outcome::Injected { .. }) as usize;
        let path = path.as_os_str();
        let tail = Tail::of(path.as_encoded_bytes());
        let id = match self.runs.back() {
            // The previous call's path (a hot loop, or the next step on one
            // file): no hash at all.
            Some(&r) if tail == self.last && *self.newest_path(&r) == *path => {
                if r.op == op && r.outcome == outcome && r.who == who {
                    self.runs.back_mut().unwrap().times += 1;
                    return;
                }
                if r.path == OWN {
                    let shared = self.own.back().unwrap().clone();
                    self.own.push_back(shared);
                }
                r.path
            }
            _ => {
                self.last = tail;
                let hash = hash_path(path.as_encoded_bytes());
                match self.paths.get(path, hash) {
                    Some(id) => id,
                    None if self.paths.slots.len() < self.limit => {
                        self.paths.insert(Arc::from(path), hash)
                    }
                    None => {
                        self.own.push_back(Arc::from(path));
                        OWN
                    }
                }
            }
        };
        if self.runs.len() == self.limit {
            self.evict_oldest();
        }
        self.runs.push_back(Run {
            op,
            path: id,
            outcome,
            who,
            times: 1,
        });
    }

    /// Fold the oldest run into its path's counters.
    fn evict_oldest(&mut self) {
        let Some(front) = self.runs.pop_front() else {
            return;
        };
        self.dropped += front.times as u64;
        if front.path == OWN {
            // Not in the table, which filled up before this run began; and
            // by now every path in the table has had a run leave the ring
            // and claim a counter (one each, `limit` paths), so the counters
            // are full too: this run's calls are counted in the totals only.
            // The counters go to the first `limit` distinct (operation,
            // path) pairs to leave the ring, as a map of counters filled in
            // order would have it.
            debug_assert_eq!(self.evicted_keys, self.limit);
            self.own.pop_front();
            self.overflowed += front.times as u64;
            return;
        }
        let injected = if matches!(front.outcome, Outcome::Injected { .. }) {
            front.times
        } else {
            0
        };
        let slot = &mut self.paths.slots[front.path];
        match slot.evicted.get_mut(front.op) {
            Some(counts) => {
                counts.attempts += front.times;
                counts.injected += injected;
            }
            None if self.evicted_keys < self.limit => {
                let counts = Counts {
                    attempts: front.times,
                    injected,
                };
                slot.evicted.insert(front.op, counts);
                self.evicted_keys += 1;
            }
            None => self.overflowed += front.times as u64,
        }
    }

    /// The runs with their paths, oldest first.
    fn runs(&self) -> impl Iterator<Item = (&Run, &OsStr)> {
        let mut own = self.own.iter();
        self.runs.iter().map(move |r| {
            let path = match r.path {
                OWN => own.next().expect("one path in `own` per OWN run"),
                id => &self.paths.slots[id].path,
            };
            (r, &**path)
        })
    }

    /// The record as calls, the test process's own calls under `own_pid`.
    pub(crate) fn calls(&self, own_pid: u32) -> Vec<Call> {
        let mut calls = Vec::new();
        for (r, path) in self.runs() {
            let (pid, exe) = match r.who {
                0 => (own_pid, None),
                w => {
                    let (pid, exe) = &self.children[w as usize - 1];
                    (*pid, Some(exe.to_path_buf()))
                }
            };
            let call = Call {
                op: r.op,
                path: PathBuf::from(path),
                outcome: r.outcome,
                pid,
                exe,
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
        let matches = |path: &OsStr| glob_match(pattern, &path.to_string_lossy());
        // Each path in the table is matched once, however many runs name it.
        let mut memo: Vec<Option<bool>> = vec![None; self.paths.slots.len()];
        let mut matches_id = |id: usize, path: &OsStr| match memo.get_mut(id) {
            Some(m) => *m.get_or_insert_with(|| matches(path)),
            None => matches(path), // OWN
        };
        let mut n = (0, 0);
        for (r, path) in self.runs().filter(|(r, _)| r.op == op) {
            if matches_id(r.path, path) {
                n.0 += r.times;
                n.1 += r.times * matches!(r.outcome, Outcome::Injected { .. }) as usize;
            }
        }
        for (id, slot) in self.paths.slots.iter().enumerate() {
            for (_, c) in slot.evicted.iter().filter(|(o, _)| *o == op) {
                if matches_id(id, &slot.path) {
                    n.0 += c.attempts;
                    n.1 += c.injected;
                }
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
        let calls = r.calls(1);
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
        assert_eq!(r.calls(1).len(), 1000);
    }

    #[test]
    fn memory_stays_bounded_with_a_new_path_on_every_call() {
        let mut r = Record::new(4);
        for i in 0..1000 {
            r.push(Op::OpenWrite, Path::new(&format!("/t/.tmp{i}")), FAIL);
        }
        assert_eq!(r.runs.len(), 4);
        assert_eq!(r.evicted_keys, 4);
        // The first 4 paths, in the table, with the counters; the newest 4
        // in their runs; the others counted in the totals only.
        assert_eq!((r.paths.slots.len(), r.paths.ids.len()), (4, 4));
        assert_eq!(r.count(Op::OpenWrite, "*"), (1000, 1000)); // exact
        assert_eq!(r.overflowed(), 1000 - 8);
        // The newest and the first evicted paths are still counted by path.
        assert_eq!(r.count(Op::OpenWrite, "/t/.tmp999"), (1, 1));
        assert_eq!(r.count(Op::OpenWrite, "/t/.tmp0"), (1, 1));
        assert_eq!(r.calls(1)[0].path, Path::new("/t/.tmp996"));
    }

    #[test]
    fn a_path_is_stored_once_however_many_runs_and_counters_name_it() {
        let mut r = Record::new(8);
        for i in 0..1000 {
            let op = if i % 4 < 2 { Op::Rename } else { Op::Sync };
            r.push(op, Path::new(["/a", "/b"][i % 2]), Outcome::Passed);
        }
        assert_eq!((r.paths.slots.len(), r.paths.ids.len()), (2, 2));
        assert!(r.runs.iter().all(|r| r.path != OWN));
        assert_eq!(r.evicted_keys, 4); // (rename, /a), (rename, /b), (sync, /a), (sync, /b)
        assert_eq!(r.overflowed(), 0);
        assert_eq!(r.count(Op::Rename, "/a"), (250, 0));
        assert_eq!(r.count(Op::Sync, "/b"), (250, 0));
        assert_eq!(r.count(Op::Sync, "/?"), (500, 0));
        // The same path under another operation or outcome: a new run, the
        // same stored path.
        r.push(Op::Sync, Path::new("/b"), FAIL);
        assert_eq!(r.paths.slots.len(), 2);
        assert_eq!(r.calls(1).last().unwrap().path, Path::new("/b"));
        assert_eq!(r.count(Op::Sync, "/b"), (251, 1));
    }

    #[test]
    fn past_a_full_table_runs_keep_their_own_paths_and_counts_match_a_counter_map() {
        // The counters go to the first `limit` distinct (op, path) pairs to
        // leave the ring, as the map of counters before the table did.
        let mut r = Record::new(3);
        let calls = [
            (Op::Write, "/a"),
            (Op::Sync, "/a"), // same path, next run: shares /a's entry
            (Op::Write, "/b"),
            (Op::Write, "/c"), // the table is full: /a, /b, /c
            (Op::Write, "/d"), // its own copy
            (Op::Sync, "/d"),  // shares /d's copy
            (Op::Write, "/a"), // in the table
            (Op::Write, "/e"),
        ];
        for (op, path) in calls {
            r.push(op, Path::new(path), Outcome::Passed);
        }
        assert_eq!(r.paths.slots.len(), 3);
        assert_eq!(r.runs.iter().filter(|r| r.path == OWN).count(), 2); // /d, /e
        assert_eq!(r.own.len(), 2);
        assert_eq!(r.dropped(), 5);
        // Counters: (write, /a), (sync, /a), (write, /b); full, so /c and
        // (write, /d) are in the totals only.
        assert_eq!(r.evicted_keys, 3);
        assert_eq!(r.overflowed(), 2);
        assert_eq!(r.count(Op::Write, "/a"), (2, 0)); // one counted, one in the ring
        assert_eq!(r.count(Op::Sync, "/?"), (2, 0)); // /a counted, /d in the ring
        assert_eq!(r.count(Op::Write, "/c"), (0, 0)); // overflowed
        assert_eq!(r.count(Op::Write, "*"), (6, 0));
        let paths: Vec<_> = r.calls(1).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["/d", "/a", "/e"].map(PathBuf::from));
    }

    /// The record as it was before paths were interned: a map of counters
    /// keyed by (op, path), filled in the order runs leave.
    struct Model {
        runs: VecDeque<(Op, PathBuf, Outcome, usize)>,
        limit: usize,
        evicted: HashMap<(Op, PathBuf), (usize, usize)>,
        overflowed: u64,
        dropped: u64,
        totals: HashMap<Op, (usize, usize)>,
    }

    impl Model {
        fn push(&mut self, op: Op, path: &Path, outcome: Outcome) {
            let t = self.totals.entry(op).or_default();
            t.0 += 1;
            t.1 += matches!(outcome, Outcome::Injected { .. }) as usize;
            if let Some(r) = self.runs.back_mut() {
                if (r.0, r.1.as_path(), r.2) == (op, path, outcome) {
                    r.3 += 1;
                    return;
                }
            }
            if self.runs.len() == self.limit {
                let (op, path, outcome, times) = self.runs.pop_front().unwrap();
                self.dropped += times as u64;
                let key = (op, path);
                if self.evicted.len() >= self.limit && !self.evicted.contains_key(&key) {
                    self.overflowed += times as u64;
                } else {
                    let c = self.evicted.entry(key).or_default();
                    c.0 += times;
                    c.1 += times * matches!(outcome, Outcome::Injected { .. }) as usize;
                }
            }
            self.runs.push_back((op, path.to_path_buf(), outcome, 1));
        }

        fn count(&self, op: Op, pattern: &str) -> (usize, usize) {
            if pattern == "*" {
                return self.totals.get(&op).copied().unwrap_or_default();
            }
            let matching = |o: Op, p: &Path| o == op && glob_match(pattern, &p.to_string_lossy());
            let mut n = (0, 0);
            for (o, p, outcome, times) in &self.runs {
                if matching(*o, p) {
                    n.0 += times;
                    n.1 += times * matches!(outcome, Outcome::Injected { .. }) as usize;
                }
            }
            for ((o, p), c) in &self.evicted {
                if matching(*o, p) {
                    n.0 += c.0;
                    n.1 += c.1;
                }
            }
            n
        }
    }

    #[test]
    fn random_runs_count_as_the_record_before_interning_did() {
        let (mut saw_own, mut saw_overflow) = (false, false);
        for seed in 0..200 {
            let mut rng = crate::rng::SplitMix64(seed);
            let mut next = |n: u64| (rng.next_u64() % n) as usize;
            let limit = 1 + next(6);
            let mut r = Record::new(limit);
            let mut m = Model {
                runs: VecDeque::new(),
                limit,
                evicted: HashMap::new(),
                overflowed: 0,
                dropped: 0,
                totals: HashMap::new(),
            };
            let ops = [Op::Write, Op::Rename, Op::Sync];
            let names = 1 + next(12) as u64;
            for _ in 0..next(60) {
                let (op, outcome) = (ops[next(3)], [Outcome::Passed, FAIL][next(2)]);
                let path = PathBuf::from(format!("/d/{}", next(names)));
                r.push(op, &path, outcome);
                m.push(op, &path, outcome);
            }
            saw_own |= r.runs.iter().any(|r| r.path == OWN);
            assert_eq!(r.runs.iter().filter(|r| r.path == OWN).count(), r.own.len());
            saw_overflow |= r.overflowed() > 0;
            let ctx = format!("seed {seed}, limit {limit}");
            assert_eq!(
                (r.dropped(), r.overflowed()),
                (m.dropped, m.overflowed),
                "{ctx}"
            );
            let calls: Vec<_> = (r.calls(1).into_iter())
                .map(|c| (c.op, c.path, c.outcome))
                .collect();
            let model_calls: Vec<_> = (m.runs.iter())
                .flat_map(|(o, p, out, t)| std::iter::repeat_n((*o, p.clone(), *out), *t))
                .collect();
            assert_eq!(calls, model_calls, "{ctx}");
            for op in ops {
                for pattern in ["*", "/d/1", "/d/1*", "/d/?", "/x"] {
                    assert_eq!(
                        r.count(op, pattern),
                        m.count(op, pattern),
                        "{ctx} {op:?} {pattern}"
                    );
                }
            }
        }
        assert!(saw_own && saw_overflow);
    }

    #[test]
    fn the_path_hash_spreads_paths_that_differ_in_one_character() {
        let mut low = std::collections::HashSet::new();
        let mut high = std::collections::HashSet::new();
        for i in 0..1000 {
            let h = hash_path(format!("/tmp/some/dir/artifact-{i}.o").as_bytes());
            low.insert(h & 0xfff);
            high.insert(h >> 52);
        }
        // 1000 draws from 4096 values: about 890 distinct if uniform.
        assert!(
            low.len() > 800 && high.len() > 800,
            "{} {}",
            low.len(),
            high.len()
        );
        // Short paths, and a zero byte, count too.
        assert_ne!(hash_path(b"a"), hash_path(b"\0a"));
        assert_ne!(hash_path(b""), hash_path(b"\0"));
    }

    #[test]
    fn paths_with_the_same_hash_keep_their_own_slots() {
        let mut paths = Paths::default();
        let (a, b) = (OsStr::new("/a"), OsStr::new("/b"));
        let ia = paths.insert(Arc::from(a), 7);
        let ib = paths.insert(Arc::from(b), 7);
        assert_eq!((paths.get(a, 7), paths.get(b, 7)), (Some(ia), Some(ib)));
        assert_eq!(paths.get(OsStr::new("/c"), 7), None);
        assert_eq!(paths.get(a, 8), None);
    }
}
