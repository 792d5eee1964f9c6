//! What an uncontended ArtifactLock acquire + release costs, against a bare
//! flock pair on an open file, in one run. Target: the lock itself at most
//! 2x the bare pair; the holder record's extra cost shown separately.
//!
//!     cargo bench --bench lock [-- --rounds 15 --per-round 2000]

mod common;

#[cfg(unix)]
fn main() {
    use std::fs::OpenOptions;

    use common::{Case, flag, measure, verdict};
    use flakeproof::ArtifactLock;

    let rounds = flag("--rounds", 15) as usize;
    let per_round = flag("--per-round", 2000);
    let dir = tempfile::tempdir().unwrap();
    let bare_path = dir.path().join("bare.lock");
    let held_open = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&bare_path)
        .unwrap();
    let locks = ArtifactLock::new(dir.path());
    let unrecorded = ArtifactLock::new(dir.path()).record_holder(false);
    let mut cases = vec![
        Case {
            name: "bare flock pair on an open file (try_lock + unlock)",
            run: Box::new(|n| {
                for _ in 0..n {
                    held_open.try_lock().unwrap();
                    held_open.unlock().unwrap();
                }
            }),
        },
        Case {
            name: "ArtifactLock::try_lock + drop, record_holder(false) (the lock itself)",
            run: Box::new(|n| {
                for _ in 0..n {
                    drop(unrecorded.try_lock("bare").unwrap().unwrap());
                }
            }),
        },
        Case {
            name: "ArtifactLock::try_lock + drop (with the holder record)",
            run: Box::new(|n| {
                for _ in 0..n {
                    drop(locks.try_lock("app").unwrap().unwrap());
                }
            }),
        },
    ];
    let t = measure(&mut cases, rounds, per_round);
    println!(
        "uncontended lock cost, median of {rounds} rounds x {per_round}, temp dir {}\n",
        dir.path().parent().unwrap().display()
    );
    println!("| case | µs per acquire+release | vs bare pair |");
    println!("|---|---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        println!("| {} | {:.2} | {:.2}x |", c.name, t[i] / 1e3, t[i] / t[0]);
    }
    let lock_only = t[1] / t[0];
    println!(
        "\ntarget: the lock itself <= 2x a bare flock pair: {lock_only:.2}x, {}",
        verdict(lock_only <= 2.0)
    );
    println!(
        "the holder record (1 KiB written in place) adds {:.2} µs per acquisition",
        (t[2] - t[1]) / 1e3
    );
}

#[cfg(not(unix))]
fn main() {
    eprintln!("benches/lock.rs compares against flock; nothing to do here");
}
