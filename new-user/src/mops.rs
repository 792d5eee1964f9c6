//! Scenario 2: `mops build` run twice at once for one canister.
//!
//! Each build writes the canister's `.wasm`, `.did` and `.most` files. Two
//! builds of the same canister at the same time both truncate and write the
//! same three files, each through its own file offset, so what is left is
//! torn: one file holding pieces of both builds (or zeros where one build
//! truncated the file under the other's offset), or whole files from
//! different builds side by side. No error is ever reported: the damage is
//! only seen by whoever reads the files.
//!
//! Here: rounds of several `mops build` processes per canister, started
//! together, each building once. A build writes all three files in 4 KiB
//! chunks with `yield_now` between them (a compiler streaming its output),
//! every 8 bytes being the build's tag (builder id, round), then reads the three files back and checks that each is whole
//! (right length, one tag throughout) and that all three carry the same tag.
//!
//! The cure: `flakeproof::ArtifactLock`, one key per canister, held for the
//! whole build. Builds of one canister take turns; builds of two canisters
//! still run at the same time. Both are measured with marker files, not
//! clocks: each build creates `state/{key}@{builder}-{round}` when it starts
//! (after taking the lock) and removes it when done, and looks at which
//! markers exist at its start. Of two overlapping builds, the later one
//! always sees the earlier one's marker.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use flakeproof::ArtifactLock;

use crate::common::{start_together, worker_ready_and_wait, Counters, Worker};

/// The artifact set of one canister, with each file's size.
const FILES: [(&str, usize); 3] = [
    ("wasm", 512 * 1024),
    ("did", 16 * 1024),
    ("most", 16 * 1024),
];
const CHUNK: usize = 4096;
pub const KEYS: [&str; 2] = ["canister-a", "canister-b"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// What mops did: no lock.
    Naive,
    /// `ArtifactLock::lock(canister)` around each build.
    Locked,
}

pub const VARIANTS: [Variant; 2] = [Variant::Naive, Variant::Locked];

impl Variant {
    pub fn label(self) -> &'static str {
        match self {
            Variant::Naive => "no lock (naive)",
            Variant::Locked => "ArtifactLock per canister",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Variant::Naive => "naive",
            Variant::Locked => "locked",
        }
    }

    fn from_arg(s: &str) -> io::Result<Self> {
        VARIANTS
            .into_iter()
            .find(|v| v.arg() == s)
            .ok_or_else(|| io::Error::other(format!("unknown mops variant {s:?}")))
    }
}

pub struct Config {
    /// Batches of concurrent builds.
    pub rounds: u32,
    /// Concurrent builds (processes) per canister in each batch.
    pub builders: u32,
}

pub struct Row {
    pub variant: Variant,
    pub counters: Counters,
    /// Canisters whose artifact set, as left at the end, is not whole and
    /// consistent.
    pub final_torn: u64,
    pub elapsed: Duration,
}

impl Row {
    pub fn failures(&self) -> u64 {
        self.counters.get("torn_file") + self.counters.get("mixed_set") + self.final_torn
    }
}

pub fn run(cfg: &Config, scratch: &Path) -> io::Result<Vec<Row>> {
    VARIANTS
        .into_iter()
        .map(|v| run_variant(cfg, scratch, v))
        .collect()
}

fn run_variant(cfg: &Config, scratch: &Path, variant: Variant) -> io::Result<Row> {
    let dir = scratch.join(format!("mops-{}", variant.arg()));
    for sub in ["", "out", "state", "locks"] {
        fs::create_dir(dir.join(sub))?;
    }
    let started = Instant::now();
    let mut counters = Counters::default();
    // One round = one batch of `mops build` invocations started together:
    // `builders` per canister, each a process that builds once and exits.
    for round in 1..=cfg.rounds {
        let mut workers = Vec::new();
        // Builder ids start at 1: tag 0 would look like the zeros a
        // truncation leaves.
        let mut id = 1u32;
        for key in KEYS {
            for _ in 0..cfg.builders {
                workers.push(Worker::spawn(
                    format!("mops build {id} ({key}, round {round})"),
                    &[
                        "mops-build".into(),
                        variant.arg().into(),
                        dir.to_str().expect("UTF-8 scratch path").into(),
                        key.into(),
                        id.to_string(),
                        round.to_string(),
                    ],
                )?);
                id += 1;
            }
        }
        for w in start_together(workers)? {
            counters.merge(&w.finish()?);
        }
    }
    let elapsed = started.elapsed();

    // The set each canister is left with must be one build's, whole.
    let mut final_torn = 0;
    for key in KEYS {
        if !matches!(read_set(&dir.join("out"), key)?, SetState::Whole(_)) {
            final_torn += 1;
        }
    }
    Ok(Row {
        variant,
        counters,
        final_torn,
        elapsed,
    })
}

/// A build's tag: builder id and round, 8 bytes, repeated through
/// every file the build writes.
fn tag(id: u32, build: u32) -> [u8; 8] {
    let mut t = [0; 8];
    t[..4].copy_from_slice(&id.to_le_bytes());
    t[4..].copy_from_slice(&build.to_le_bytes());
    t
}

/// The tag a file carries throughout, or None if it is not one build's whole
/// output (wrong length, several tags, zeros).
fn whole_tag(content: &[u8], size: usize) -> Option<[u8; 8]> {
    if content.len() != size {
        return None;
    }
    let first: [u8; 8] = content.get(..8)?.try_into().ok()?;
    if first == [0; 8] || content.chunks_exact(8).any(|c| c != first) {
        return None;
    }
    Some(first)
}

enum SetState {
    /// All three files whole and from one build.
    Whole([u8; 8]),
    /// Each file whole, but not all from the same build.
    Mixed,
    /// At least one file not whole.
    Torn,
}

fn read_set(out: &Path, key: &str) -> io::Result<SetState> {
    let mut tags = Vec::new();
    for (ext, size) in FILES {
        match whole_tag(&fs::read(out.join(format!("{key}.{ext}")))?, size) {
            Some(t) => tags.push(t),
            None => return Ok(SetState::Torn),
        }
    }
    if tags.iter().all(|t| *t == tags[0]) {
        Ok(SetState::Whole(tags[0]))
    } else {
        Ok(SetState::Mixed)
    }
}

/// The compiler: writes one file in chunks, giving up the CPU between them
/// the way a process streaming output does.
fn write_chunked(path: &Path, size: usize, tag: [u8; 8]) -> io::Result<()> {
    let chunk: Vec<u8> = tag.iter().copied().cycle().take(CHUNK).collect();
    // File::create truncates: what a compiler writing its output does, and
    // what lets a second build cut the first one's file short.
    let mut f = File::create(path)?;
    let mut left = size;
    while left > 0 {
        let n = left.min(CHUNK);
        f.write_all(&chunk[..n])?;
        left -= n;
        thread::yield_now();
    }
    Ok(())
}

/// Which other builds are running now, from their markers: (same key, other
/// keys).
fn others_building(state: &Path, key: &str, mine: &str) -> io::Result<(u64, u64)> {
    let (mut same, mut other) = (0, 0);
    for entry in fs::read_dir(state)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if name == mine {
            continue;
        }
        match name.split_once('@') {
            Some((k, _)) if k == key => same += 1,
            Some(_) => other += 1,
            None => {}
        }
    }
    Ok((same, other))
}

/// Worker `mops-build VARIANT DIR KEY ID ROUND`: one `mops build` of KEY.
pub fn build_main(args: &[String]) -> io::Result<()> {
    let [variant, dir, key, id, round] = args else {
        return Err(io::Error::other("mops-build: bad arguments"));
    };
    let variant = Variant::from_arg(variant)?;
    let dir = PathBuf::from(dir);
    let id: u32 = id.parse().map_err(io::Error::other)?;
    let round: u32 = round.parse().map_err(io::Error::other)?;
    let (out, state) = (dir.join("out"), dir.join("state"));

    // Set by the lock's wait hook: this build had to wait for another build
    // of its canister.
    let waited = Arc::new(AtomicBool::new(false));
    let hook_waited = Arc::clone(&waited);
    let locks = ArtifactLock::new(dir.join("locks"))
        // A generous bound: builds here take milliseconds. Not a timing
        // check; hitting it is an error, reported as such.
        .timeout(Duration::from_secs(120))
        .on_wait(move |_| hook_waited.store(true, Ordering::Relaxed));

    let mut c = Counters::default();
    worker_ready_and_wait()?;
    // Held until the end of this function, after the marker is gone.
    let _guard = match variant {
        Variant::Naive => None,
        Variant::Locked => Some(locks.lock(key)?),
    };
    let mine = format!("{key}@{id}-{round}");
    let marker = state.join(&mine);
    File::create_new(&marker)?;
    let (same, other) = others_building(&state, key, &mine)?;
    c.add("builds", 1);
    c.add("same_key_overlap", u64::from(same > 0));
    c.add("cross_key_concurrent", u64::from(other > 0));
    c.add("lock_waits", u64::from(waited.load(Ordering::Relaxed)));

    let t = tag(id, round);
    for (ext, size) in FILES {
        write_chunked(&out.join(format!("{key}.{ext}")), size, t)?;
    }
    // Read the set back, as the deploy step after the build would.
    match read_set(&out, key)? {
        SetState::Whole(seen) if seen == t => c.add("ok", 1),
        // Whole and consistent, but another build's: harmless (same
        // sources), not counted as a failure; with the lock it can't happen.
        SetState::Whole(_) => c.add("other_build_set", 1),
        SetState::Mixed => c.add("mixed_set", 1),
        SetState::Torn => c.add("torn_file", 1),
    }
    fs::remove_file(&marker)?;
    c.print_result();
    Ok(())
}
