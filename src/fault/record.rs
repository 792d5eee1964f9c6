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
    /// The thread that made the call (its kernel id, as `gettid` gives it),
    /// where the kernel handed the call over: calls of a child under a plan
    /// ([`Command::faults`](crate::process::Command::faults)) and of a
    /// thread under a kernel plan
    /// ([`FaultPlan::activate_in_kernel`](crate::fault::FaultPlan::activate_in_kernel)).
    /// `None` for a call flakeproof's own functions reported
    /// ([`flakeproof::fs`](crate::fs) and the like).
    pub tid: Option<u32>,
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
    /// The calling thread's id, where the kernel saw the call (0: not known).
    tid: u32,
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
        self.push_from(op, path, outcome, 0, 0);
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

    /// Record a call by `who` (0: this process; else from [`Record::child`])
    /// on thread `tid` (0: not known).
    pub(crate) fn push_from(&mut self, op: Op, path: &Path, outcome: Outcome, who: u32, tid: u32) {
        let total = &mut self.totals[op as usize];
        total.attempts += 1;
        total.injected += matches!(outcome, Outcome::Injected { .. }) as usize;
        let path = path.as_os_str();
        let tail = Tail::of(path.as_encoded_bytes());
        let id = match self.runs.back() {
            // The previous call's path (a hot loop, or the next step on one
            // file): no hash at all.
            Some(&r) if tail == self.last && *self.newest_path(&r) == *path => {
                if r.op == op && r.outcome == outcome && r.who == who && r.tid == tid {
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
            tid,
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
                tid: (r.tid != 0).then_some(r.tid),
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
mod tests;
