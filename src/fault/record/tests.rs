//! Unit tests of `record.rs`, in a file of their own so that the code reads
//! on one screen-length.

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
        if let Some(r) = self.runs.back_mut()
            && (r.0, r.1.as_path(), r.2) == (op, path, outcome)
        {
            r.3 += 1;
            return;
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
