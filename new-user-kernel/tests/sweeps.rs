//! Failure-point sweeps over the config store's two saves, as a new user
//! would write them: the library calls `std::fs` and nothing else, and the
//! kernel enforces each run's plan on the test's thread, so the sweep
//! reaches those calls with no change to the library.

mod common;

use std::io;
use std::path::Path;

use flakeproof::fault::exempt;
use flakeproof::{Op, Sweep};
use new_user_kernel::{load, save_atomic, save_in_place, Config};

fn old() -> Config {
    Config::from_pairs([("name", "demo"), ("retries", "3")])
}

fn new() -> Config {
    Config::from_pairs([("name", "demo"), ("retries", "5"), ("timeout", "30s")])
}

/// One run of a sweep: an old config on disk, then `save` of the new one.
/// Whatever the save returns, `load` must give the old config or the new
/// one (the new one if the save said Ok), never a torn file, and no temp
/// file may be left behind. The setup and the check are the test's own,
/// out of the plan's reach (`exempt`); only `save` meets the plan.
fn never_torn(save: fn(&Path, &Config) -> io::Result<()>) -> Result<(), String> {
    let (dir, path) = exempt(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        save_atomic(&path, &old()).unwrap();
        (dir, path)
    });
    let saved = save(&path, &new());
    // `dir` moves in: its removal is the test's too.
    exempt(move || {
        if dir.path().join("config.toml.tmp").exists() {
            return Err("debris: config.toml.tmp left behind".into());
        }
        match (saved, load(&path)) {
            (Ok(()), Ok(c)) if c == new() => Ok(()),
            (Ok(()), got) => Err(format!("the save said Ok, but load gives {got:?}")),
            (Err(_), Ok(c)) if c == old() || c == new() => Ok(()),
            (Err(e), got) => Err(format!("the save failed ({e}) and load gives {got:?}")),
        }
    })
}

/// Did the kernel enforce the sweep's plans? If not, skip (or fail, where
/// the run requires seccomp): the gate alone never reaches `std::fs`.
fn kernel_enforced(s: &Sweep) -> bool {
    match &s.kernel_unavailable {
        None => true,
        Some(why) => {
            common::skip(why);
            false
        }
    }
}

#[test]
fn the_in_place_save_leaves_a_torn_file_when_a_write_fails() {
    let s = flakeproof::sweep("any(*config.toml*)=EIO", |_| never_torn(save_in_place)).unwrap();
    if !kernel_enforced(&s) {
        return;
    }
    eprintln!("{s}");
    // The create, the header, body and trailer writes, the sync: a failed
    // create leaves the old file and a failed sync a whole new one, but
    // each failed write leaves a torn file.
    assert_eq!(s.points, 5, "{s}");
    let ks: Vec<u64> = s.failures.iter().map(|f| f.k).collect();
    assert_eq!(ks, [2, 3, 4], "{s}");
    for f in &s.failures {
        assert!(f.why.contains("torn"), "{s}");
        // The library's own std::fs call, made on this thread (the
        // kernel's record has its id).
        let call = f.call.as_ref().expect("the failed call is in the record");
        assert_eq!(call.op, Op::Write, "{s}");
        assert!(call.tid.is_some(), "{s}");
    }
}

#[test]
fn the_atomic_save_survives_every_fault_point() {
    let s = flakeproof::sweep("any(*config.toml*)=EIO", |_| never_torn(save_atomic)).unwrap();
    if !kernel_enforced(&s) {
        return;
    }
    eprintln!("{s}");
    // The temp file's create, three writes, its sync, the rename: each
    // failed in turn, and each time the old config stays whole.
    assert_eq!(s.points, 6, "{s}");
    assert!(s.is_clean(), "{s}");
}

#[test]
fn a_rule_the_code_never_reaches_is_reported_as_unreached() {
    // save_atomic removes its temp file only after a failure, and this
    // rule fails nothing else: no run reaches it.
    let s = flakeproof::sweep("remove_file(*config.toml*)=EIO", |_| {
        never_torn(save_atomic)
    })
    .unwrap();
    if !kernel_enforced(&s) {
        return;
    }
    assert!(s.reached_nothing(), "{s}");
    assert!(
        !s.is_clean(),
        "a sweep that tested nothing must not pass as clean"
    );
    assert!(s.to_string().contains("reached no call"), "{s}");
}
