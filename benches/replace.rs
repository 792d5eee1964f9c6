//! replace_executable of a 10 MiB program against `cp` to a temp name then
//! `mv` over the destination, at the same durability, in one run. Target:
//! at most 1.2x.
//!
//!     cargo bench --bench replace [-- --rounds 15 --per-round 5 --mib 10]

mod common;

#[cfg(unix)]
fn main() {
    use std::fs;
    use std::path::Path;
    use std::process::Command;

    use common::{Case, flag, measure, verdict};
    use flakeproof::replace::Replacer;

    let rounds = flag("--rounds", 15) as usize;
    let per_round = flag("--per-round", 5);
    let mib = flag("--mib", 10) as usize;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("build-output");
    // Not all zeros, so no filesystem can shortcut it.
    let body: Vec<u8> = (0..mib << 20).map(|i| (i * 31 % 251) as u8).collect();
    fs::write(&src, &body).unwrap();
    let sh = |cmd: String| {
        let ok = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .status()
            .unwrap()
            .success();
        assert!(ok, "{cmd}");
    };
    let cp_mv = |dst: &Path, durable: bool| {
        let (s, t, d) = (src.display(), dst.display(), dst.with_extension("tmp"));
        let sync = if durable {
            format!(" && sync -f {}", d.display())
        } else {
            String::new()
        };
        sh(format!(
            "cp {s} {}{sync} && mv {} {t}",
            d.display(),
            d.display()
        ));
    };
    // The same steps in this process, without the cost of starting cp and
    // mv: the fair baseline.
    let copy_rename = |dst: &Path, durable: bool| {
        let tmp = dst.with_extension("tmp");
        fs::copy(&src, &tmp).unwrap();
        if durable {
            fs::File::open(&tmp).unwrap().sync_all().unwrap();
        }
        fs::rename(&tmp, dst).unwrap();
        if durable {
            fs::File::open(dst.parent().unwrap())
                .unwrap()
                .sync_all()
                .unwrap();
        }
    };
    let replace = |dst: &Path, durable: bool| {
        Replacer::new()
            .durable(durable)
            .skip_identical(false)
            .replace(&src, dst)
            .unwrap();
    };
    let dsts: Vec<_> = (0..6).map(|i| dir.path().join(format!("app{i}"))).collect();
    let mut cases = vec![
        Case {
            name: "cp to a temp name + mv",
            run: Box::new(|n| (0..n).for_each(|_| cp_mv(&dsts[0], false))),
        },
        Case {
            name: "replace_executable, durable(false)",
            run: Box::new(|n| (0..n).for_each(|_| replace(&dsts[1], false))),
        },
        Case {
            name: "cp + sync -f + mv",
            run: Box::new(|n| (0..n).for_each(|_| cp_mv(&dsts[2], true))),
        },
        Case {
            name: "replace_executable, durable",
            run: Box::new(|n| (0..n).for_each(|_| replace(&dsts[3], true))),
        },
        Case {
            name: "std::fs::copy to a temp name + rename (in process)",
            run: Box::new(|n| (0..n).for_each(|_| copy_rename(&dsts[4], false))),
        },
        Case {
            name: "std::fs::copy + fsync + rename + dir fsync (in process)",
            run: Box::new(|n| (0..n).for_each(|_| copy_rename(&dsts[5], true))),
        },
    ];
    let t = measure(&mut cases, rounds, per_round);
    println!(
        "replacing a {mib} MiB program, median of {rounds} rounds x {per_round}, temp dir {}\n",
        dir.path().parent().unwrap().display()
    );
    println!("| case | ms per replace |");
    println!("|---|---:|");
    for (i, c) in cases.iter().enumerate() {
        println!("| {} | {:.2} |", c.name, t[i] / 1e6);
    }
    let (light, durable) = (t[1] / t[0], t[3] / t[2]);
    println!(
        "\ntarget: replace_executable <= 1.2x cp + mv: {light:.2}x, {}",
        verdict(light <= 1.2)
    );
    println!(
        "target: durable replace_executable <= 1.2x cp + sync + mv: {durable:.2}x, {}",
        verdict(durable <= 1.2)
    );
    println!(
        "against the same steps in process (no cp/mv to start): {:.2}x, durable {:.2}x",
        t[1] / t[4],
        t[3] / t[5]
    );
}

#[cfg(not(unix))]
fn main() {
    eprintln!("benches/replace.rs compares against cp and mv; nothing to do here");
}
