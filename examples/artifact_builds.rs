//! Several processes build the same artifact at once (two `mops build` runs
//! for one canister; two `dx serve` started seconds apart): their writes
//! interleave and the artifact comes out torn. A per-key `ArtifactLock`
//! serialises the builds of one key, while builds of other keys run in
//! parallel. Both ways run here, with real processes, in one run.
//!
//!     cargo run --release --example artifact_builds [-- --builders 3 --chunks 400]
//!
//! Exits non-zero if a build under the lock ever read back a torn artifact.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flakeproof::ArtifactLock;

const CHUNK: usize = 4096;

/// One build: write the artifact chunk by chunk (as a compiler streams its
/// output), then read it back and check it is all ours. Prints
/// "torn=0|1 start=.. end=.." in microseconds since the epoch.
fn build(dir: &Path, key: &str, me: u8, chunks: usize, locked: bool) {
    let locks = ArtifactLock::new(dir);
    let _guard = locked.then(|| locks.lock(key).expect("lock"));
    let start = now_us();
    let out = dir.join(format!("{key}.wasm"));
    let mut f = std::fs::File::create(&out).expect("create artifact");
    for _ in 0..chunks {
        f.write_all(&[me; CHUNK]).expect("write");
        std::thread::yield_now();
    }
    drop(f);
    let back = std::fs::read(&out).expect("read back");
    let whole = back.len() == chunks * CHUNK && back.iter().all(|b| *b == me);
    println!("torn={} start={start} end={}", u8::from(!whole), now_us());
}

fn now_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_micros()
}

fn arg(args: &[String], flag: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

struct Build {
    key: String,
    torn: bool,
    start: u128,
    end: u128,
}

fn run(dir: &Path, builders: usize, chunks: usize, locked: bool) -> Vec<Build> {
    let me = std::env::current_exe().expect("own path");
    let children: Vec<_> = ["a", "b"]
        .iter()
        .flat_map(|key| (0..builders).map(move |i| (key, i)))
        .map(|(key, i)| {
            let child = Command::new(&me)
                .args(["--child", key, &(i + 1).to_string(), &chunks.to_string()])
                .arg(if locked { "locked" } else { "naive" })
                .arg(dir)
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn a builder");
            (key.to_string(), child)
        })
        .collect();
    children
        .into_iter()
        .map(|(key, child)| {
            let out = child.wait_with_output().expect("builder");
            assert!(out.status.success(), "a builder failed");
            let text = String::from_utf8_lossy(&out.stdout);
            let field = |name: &str| -> u128 {
                text.split_whitespace()
                    .find_map(|w| w.strip_prefix(name)?.parse().ok())
                    .expect("builder output")
            };
            Build {
                key,
                torn: field("torn=") == 1,
                start: field("start="),
                end: field("end="),
            }
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let (key, me, chunks) = (&args[2], args[3].parse().unwrap(), args[4].parse().unwrap());
        return build(Path::new(&args[6]), key, me, chunks, args[5] == "locked");
    }
    let builders = arg(&args, "--builders", 3).max(1);
    let chunks = arg(&args, "--chunks", 400).max(1);
    println!(
        "artifact_builds: {builders} processes per key, 2 keys, {chunks} x 4 KiB written per build\n"
    );
    println!(
        "| builds | per key | torn artifacts read back | builds of different keys overlapped |"
    );
    println!("|---|---:|---:|---|");
    let mut locked_torn = 0;
    for locked in [false, true] {
        let dir = tempfile::tempdir().expect("temp dir");
        let builds = run(dir.path(), builders, chunks, locked);
        let torn = builds.iter().filter(|b| b.torn).count();
        let overlapped = builds.iter().any(|x| {
            builds
                .iter()
                .any(|y| x.key != y.key && x.start < y.end && y.start < x.end)
        });
        println!(
            "| {} | {builders} | {torn} of {} | {} |",
            if locked {
                "under ArtifactLock, per key"
            } else {
                "naive, at once"
            },
            builds.len(),
            if overlapped { "yes" } else { "no" }
        );
        if locked {
            locked_torn = torn;
        }
    }
    if locked_torn > 0 {
        eprintln!("\nbuilds under the lock read back torn artifacts: that is a bug");
        std::process::exit(1);
    }
}
