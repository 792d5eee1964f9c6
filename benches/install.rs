//! Cost per install of each strategy, durable and not, as ratios measured in
//! one run, on the filesystem of the temp dir (run it again with
//! `TMPDIR=/dev/shm` for tmpfs). Targets: flakeproof durable <= 1.15x the
//! temp+fsync+rename recipe on tmpfs, <= 1.05x on a disk; flakeproof
//! non-durable <= 2x a plain write.
//!
//!     cargo bench --bench install [-- --rounds 15 --per-round 200]

mod common;

#[cfg(unix)]
fn main() {
    use std::path::Path;

    use common::{Case, flag, measure, verdict};
    use flakeproof::lab::Recipe;
    use flakeproof::{StubInstaller, install::Strategy};

    const BODY: &[u8] = b"#!/bin/sh\necho 'a stub of a typical size'\nexit 0\n";

    fn recipe(r: Recipe) -> Box<dyn Fn(&Path)> {
        Box::new(move |dir| {
            r.install(dir, "stub", BODY).unwrap();
        })
    }

    let rounds = flag("--rounds", 15) as usize;
    let per_round = flag("--per-round", 200);
    // Resident memory of a big test binary: what fork (ChildWriter) copies.
    let rss_mb = flag("--rss-mb", 0) as usize;
    let ballast: Vec<u8> = (0..rss_mb << 20).map(|i| i as u8).collect();
    let dirs: Vec<_> = (0..7).map(|_| tempfile::tempdir().unwrap()).collect();
    let installer = |s: Strategy, durable: bool| StubInstaller::new().strategy(s).durable(durable);
    let case = |name, dir: &'static Path, f: Box<dyn Fn(&Path)>| Case {
        name,
        run: Box::new(move |n| (0..n).for_each(|_| f(dir))),
    };
    // The temp dirs live until the end of main.
    let d: Vec<&'static Path> = dirs
        .iter()
        .map(|t| &*Box::leak(t.path().to_owned().into_boxed_path()))
        .collect();
    let fp = |s, durable| {
        let i = installer(s, durable);
        Box::new(move |dir: &Path| {
            i.install(dir, "stub", BODY).unwrap();
        }) as Box<dyn Fn(&Path)>
    };
    let mut cases = vec![
        case("plain write + chmod", d[0], recipe(Recipe::PlainWrite)),
        case("temp + rename", d[1], recipe(Recipe::TempRename)),
        case(
            "temp + fsync + rename + dir fsync",
            d[2],
            recipe(Recipe::TempFsyncRename),
        ),
        case(
            "flakeproof, durable",
            d[3],
            fp(Strategy::DrainBarrier, true),
        ),
        case(
            "flakeproof, durable(false)",
            d[4],
            fp(Strategy::DrainBarrier, false),
        ),
        case(
            "flakeproof ChildWriter, durable",
            d[5],
            fp(Strategy::ChildWriter, true),
        ),
        case(
            "flakeproof ChildWriter, durable(false)",
            d[6],
            fp(Strategy::ChildWriter, false),
        ),
    ];
    let t = measure(&mut cases, rounds, per_round);
    let us = |i: usize| t[i] / 1e3;
    println!(
        "install cost, median of {rounds} rounds x {per_round} installs, one thread, {}, {} MB resident ballast
",
        fs_of(d[0]),
        std::hint::black_box(&ballast).len() >> 20
    );
    println!("| strategy | µs per install | vs plain write | vs temp+fsync+rename |");
    println!("|---|---:|---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        println!(
            "| {} | {:.1} | {:.2}x | {:.2}x |",
            c.name,
            us(i),
            us(i) / us(0),
            us(i) / us(2)
        );
    }
    let durable = us(3) / us(2);
    let light = us(4) / us(0);
    // Where fsync costs nothing, the recipe is cheap and the bar is looser.
    let in_memory = StubInstaller::new()
        .install_with_report(d[3], "stub", BODY)
        .unwrap()
        .durability
        == flakeproof::install::Durability::Unsupported;
    let bar = if in_memory { 1.15 } else { 1.05 };
    println!(
        "\ntarget: flakeproof durable <= {bar}x temp+fsync+rename ({}): {durable:.2}x, {}",
        if in_memory { "in memory" } else { "on disk" },
        verdict(durable <= bar)
    );
    println!(
        "target: flakeproof durable(false) <= 2x plain write:   {light:.2}x, {}",
        verdict(light <= 2.0)
    );
}

#[cfg(unix)]
fn fs_of(p: &std::path::Path) -> String {
    format!("temp dir {}", p.parent().unwrap_or(p).display())
}

#[cfg(not(unix))]
fn main() {
    eprintln!("benches/install.rs compares Unix install strategies; nothing to do here");
}
