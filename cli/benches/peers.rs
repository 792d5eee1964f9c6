//! What the command costs, beside the tools people reach for today, as
//! ratios measured in one run: every case runs once per round, rounds
//! interleave the cases (a noisy moment on a shared machine hits them all
//! alike), and each case reports its median round. On tmpfs (`/dev/shm`)
//! so that writeback doesn't swamp the figures.
//!
//! - `cp -r` of a 1,000-file tree, wall time from spawn to exit, the
//!   command's own start included: bare; under `flakeproof run` with a
//!   rule on an operation cp never makes (`rename`; target: at most 1.1x
//!   bare) and with `open`/`open_write` rules that match nothing (every
//!   open of that kind is a round trip to the supervisor); under
//!   `strace -f -e inject` (ptrace: every call of the tree stops), strace
//!   `--seccomp-bpf` (only the named calls stop), and `fiu-run -x`
//!   (LD_PRELOAD: no stops at all, but no paths, and nothing reaches a
//!   static or Go binary). Then the part of `flakeproof run`'s cost that
//!   every run pays whatever CMD does: `true` bare and under it.
//! - `flakeproof sweep` over a shell script that writes 8 files: the wall
//!   time per run of the script (a clean run, 8 points, the run that no
//!   longer reaches the rule), less one bare run of the script. Target: at
//!   most 5 ms.
//!
//! Before timing, each tool is shown to inject at all (a Python rename
//! under its rename rule must fail): a row for a tool that silently
//! doesn't would compare nothing.
//!
//!     cargo bench -p flakeproof-cli --bench peers [-- --rounds 9]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{flag, median, verdict};

const FLAKEPROOF: &str = env!("CARGO_BIN_EXE_flakeproof");
const STRACE_RENAMES: &str = "rename,renameat,renameat2";

fn on_path(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// One way of running a command: the argv that goes before it, and a
/// probe that succeeds bare and must fail under it.
struct Runner {
    name: &'static str,
    prefix: Vec<String>,
    tool: Option<&'static str>,
    probe: Vec<String>,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn command(prefix: &[String], cmd: &[String]) -> Command {
    let all: Vec<&String> = prefix.iter().chain(cmd).collect();
    let mut c = Command::new(all[0]);
    c.args(&all[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Wall time of one run, in ns; the run must succeed (a failed copy would
/// time something else).
fn time(prefix: &[String], cmd: &[String], what: &str) -> f64 {
    let t0 = Instant::now();
    let status = command(prefix, cmd).status().unwrap();
    let ns = t0.elapsed().as_nanos() as f64;
    assert!(status.success(), "{what}: {status}");
    ns
}

fn main() {
    let rounds = flag("--rounds", 9);
    let base = if Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "/tmp"
    };
    let dir = tempfile::tempdir_in(base).unwrap();
    let d = dir.path().to_str().unwrap();

    // The probes: a rename of a file onto itself (the kernel's no-op), a
    // read and a write of `nomatch`, the name no timed run ever opens.
    let a = format!("{d}/a");
    let nomatch = format!("{d}/nomatch");
    std::fs::write(&a, "x").unwrap();
    std::fs::write(&nomatch, "x").unwrap();
    let rename = strings(&[
        "python3",
        "-c",
        &format!("import os; os.rename({a:?}, {a:?})"),
    ]);
    let read = strings(&["cat", &nomatch]);
    let write = strings(&["sh", "-c", &format!(": > {nomatch}")]);

    let flakeproof = |plan: &str| strings(&[FLAKEPROOF, "run", "--faults", plan, "--"]);
    let strace = |bpf: bool, rest: &[&str]| {
        let mut v = strings(&["strace", "-f", "-qq", "-o", "/dev/null"]);
        if bpf {
            v.push("--seccomp-bpf".into());
        }
        v.extend(strings(rest));
        v
    };
    let trace = format!("trace={STRACE_RENAMES}");
    let inject = format!("inject={STRACE_RENAMES}:error=EIO");
    let row = |name, tool, prefix, probe: &Vec<String>| Runner {
        name,
        prefix,
        tool,
        probe: probe.clone(),
    };
    let all = vec![
        row("bare", None, vec![], &rename),
        row(
            "flakeproof run, rule cp never meets (rename)",
            None,
            flakeproof("rename=EIO"),
            &rename,
        ),
        row(
            "flakeproof run, open rule, no match",
            None,
            flakeproof("open(*/nomatch)=EIO"),
            &read,
        ),
        row(
            "flakeproof run, open_write rule, no match",
            None,
            flakeproof("open_write(*/nomatch)=EIO"),
            &write,
        ),
        row(
            "strace -f -e inject (ptrace), rename",
            Some("strace"),
            strace(false, &["-e", &trace, "-e", &inject]),
            &rename,
        ),
        row(
            "strace --seccomp-bpf -e inject, rename",
            Some("strace"),
            strace(true, &["-e", &trace, "-e", &inject]),
            &rename,
        ),
        row(
            "strace --seccomp-bpf -P, open, no match",
            Some("strace"),
            strace(
                true,
                &[
                    "-P",
                    &nomatch,
                    "-e",
                    "trace=open,openat",
                    "-e",
                    "inject=open,openat:error=EIO",
                ],
            ),
            &read,
        ),
        row(
            "fiu-run -x (LD_PRELOAD), rename",
            Some("fiu-run"),
            strings(&["fiu-run", "-x", "-c", "enable name=posix/io/dir/rename"]),
            &rename,
        ),
    ];
    let (runners, missing): (Vec<Runner>, Vec<Runner>) =
        all.into_iter().partition(|r| r.tool.is_none_or(on_path));
    for r in &missing {
        println!("(not installed, left out: {})", r.name);
    }
    // A row for a tool that silently injects nothing would compare nothing.
    for r in &runners[1..] {
        let bare = command(&[], &r.probe).status().unwrap();
        assert!(bare.success(), "{:?} fails bare: {bare}", r.probe);
        let under = command(&r.prefix, &r.probe).status().unwrap();
        assert!(!under.success(), "{}: its rule injected nothing", r.name);
    }

    // cp -r of a 1,000-file tree.
    let src = dir.path().join("src");
    for i in 0..10 {
        let sub = src.join(format!("d{i}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..100 {
            std::fs::write(sub.join(format!("f{f}")), "some bytes\n").unwrap();
        }
    }
    let dst = dir.path().join("dst");
    let cp = strings(&["cp", "-r", src.to_str().unwrap(), dst.to_str().unwrap()]);
    let mut samples = vec![Vec::new(); runners.len()];
    for round in 0..=rounds {
        for (r, s) in runners.iter().zip(&mut samples) {
            let ns = time(&r.prefix, &cp, r.name);
            std::fs::remove_dir_all(&dst).unwrap();
            if round > 0 {
                // Round 0 warms the page cache and the loader's.
                s.push(ns);
            }
        }
    }
    let ms: Vec<f64> = samples.into_iter().map(median).collect();
    println!(
        "cp -r of 1,000 files on {base}, wall time with every start, median of {rounds} interleaved rounds"
    );
    for (r, m) in runners.iter().zip(&ms) {
        println!("  {:<46} {:>9.2} ms {:>7.2}x", r.name, m / 1e6, m / ms[0]);
    }
    let never = ms[1] / ms[0];
    println!(
        "  target: flakeproof run, a rule cp never meets <= 1.1x: {never:.2}x, {}",
        verdict(never <= 1.1)
    );

    // What every run pays whatever CMD does: the command's own start, the
    // support probe, the fork with the filter and the handoff, the exec's
    // round trip, the summary.
    let t = strings(&["true"]);
    let (mut bare, mut run) = (Vec::new(), Vec::new());
    for round in 0..=rounds * 3 {
        let b = time(&[], &t, "true");
        let r = time(&runners[1].prefix, &t, "true under run");
        if round > 0 {
            bare.push(b);
            run.push(r);
        }
    }
    let (bare, run) = (median(bare), median(run));
    println!(
        "  of which fixed, per run (`true`: {:.2} ms bare, {:.2} ms under run): {:.2} ms",
        bare / 1e6,
        run / 1e6,
        (run - bare) / 1e6
    );

    // The sweep: per run of the script, beyond one bare run of it.
    const FILES: usize = 8;
    let script = strings(&[
        "sh",
        "-c",
        &format!("for i in $(seq {FILES}); do echo x > \"$0/out$i\"; done"),
        d,
    ]);
    let rule = "open_write(*/out*)=EIO";
    let sweep_prefix = strings(&[FLAKEPROOF, "sweep", rule, "--"]);
    let run_prefix = flakeproof(&format!("{rule}@99"));
    let (mut bare, mut run, mut sweep) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=rounds {
        let b = time(&[], &script, "the script");
        let r = time(&run_prefix, &script, "the script under run");
        let t0 = Instant::now();
        let out = command(&sweep_prefix, &script)
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        let s = t0.elapsed().as_nanos() as f64;
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains(&format!("{FILES} point(s)")),
            "the sweep: {} {text}",
            out.status
        );
        if round > 0 {
            bare.push(b);
            run.push(r);
            // A clean run, the points, and the run that reaches nothing.
            sweep.push(s / (FILES + 2) as f64);
        }
    }
    let (bare, run, per) = (median(bare), median(run), median(sweep));
    println!(
        "\nflakeproof sweep `{rule}` over a script writing {FILES} files ({} runs of it), median of {rounds} rounds",
        FILES + 2
    );
    println!(
        "  the script, bare                     {:>8.2} ms",
        bare / 1e6
    );
    println!(
        "  the script under flakeproof run      {:>8.2} ms",
        run / 1e6
    );
    println!(
        "  sweep, per run of the script         {:>8.2} ms",
        per / 1e6
    );
    let extra = (per - bare) / 1e6;
    println!(
        "  target: a point costs one run + <= 5 ms: +{extra:.2} ms, {}",
        verdict(extra <= 5.0)
    );
}
