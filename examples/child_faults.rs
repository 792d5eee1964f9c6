//! The failures that motivate flakeproof, reproduced on demand inside real,
//! unmodified programs: a fault plan attached to the command, enforced by
//! the kernel for the program's whole process tree (Linux, seccomp user
//! notification).
//!
//! ```text
//! cargo run --example child_faults            # every scenario
//! cargo run --example child_faults -- --no-cargo
//! ```
//!
//! Each row runs a real program under a plan and prints what the program
//! said, its exit status, and what the plan's record saw. The example
//! exits 1 if any program did not fail (or recover) the way the row says,
//! so CI runs it as a check.

use std::io;
use std::path::Path;
use std::process::{ExitCode, Output, Stdio};
use std::time::Duration;

use flakeproof::fault::{FaultGuard, FaultPlan};
use flakeproof::process::Command;
use flakeproof::{Classifier, RetryPolicy, retry::Backoff};

struct Row {
    scenario: &'static str,
    plan: &'static str,
    said: String,
    injected: usize,
    expected: bool,
}

/// One row's run, in a directory of its own.
type Scenario = fn(&Path) -> io::Result<Row>;

fn main() -> ExitCode {
    let with_cargo = !std::env::args().any(|a| a == "--no-cargo");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rows = Vec::new();
    let scenarios: [(&str, Scenario); 4] = [
        ("cp", cp_destination_eperm),
        ("mv", mv_busy_then_succeeds),
        ("rm", rm_lingering_handle),
        ("sh", sh_stub_text_file_busy),
    ];
    for (name, run) in scenarios {
        let here = dir.path().join(name);
        std::fs::create_dir(&here).expect("scenario dir");
        match run(&here) {
            Ok(row) => rows.push(row),
            Err(e) if e.kind() == io::ErrorKind::Unsupported => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
            Err(e) => panic!("{name}: {e}"),
        }
    }
    if with_cargo {
        match cargo_uplift(&dir.path().join("cargo")) {
            Ok(row) => rows.push(row),
            Err(e) => eprintln!("cargo scenario not run: {e}"),
        }
    }
    println!(
        "{:<44} {:<50} {:>3}  {:<3} what the program said",
        "scenario", "plan", "inj", "ok"
    );
    for r in &rows {
        println!(
            "{:<44} {:<50} {:>3}  {:<3} {}",
            r.scenario,
            r.plan,
            r.injected,
            if r.expected { "yes" } else { "NO" },
            r.said
        );
    }
    if rows.iter().all(|r| r.expected) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn plan(text: &str) -> FaultGuard {
    FaultPlan::parse(text).expect("plan").activate()
}

/// The first line the program wrote to stderr, or its exit status.
fn said(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    match err.lines().next() {
        Some(l) => l.to_owned(),
        None => format!("({})", out.status),
    }
}

fn run(cmd: &mut Command) -> io::Result<Output> {
    cmd.stdout(Stdio::null()).stderr(Stdio::piped()).output()
}

/// macOS refuses to copy onto some destinations with EPERM: here the
/// first open of the destination for writing fails that way, and a second
/// `cp` goes through.
fn cp_destination_eperm(dir: &Path) -> io::Result<Row> {
    let text = "open_write(*/dest)=EPERM@1";
    let guard = plan(text);
    std::fs::write(dir.join("src"), "artifact")?;
    let mut cp = Command::new("cp");
    cp.args(["src", "dest"]).current_dir(dir).env("LC_ALL", "C");
    cp.faults(&guard)?;
    let first = run(&mut cp)?;
    let second = run(&mut cp)?;
    let copied = std::fs::read(dir.join("dest")).ok() == Some(b"artifact".to_vec());
    Ok(Row {
        scenario: "cp onto a destination: EPERM, then copied",
        plan: text,
        said: said(&first),
        injected: guard.calls().iter().filter(|c| c.injected()).count(),
        expected: !first.status.success() && second.status.success() && copied,
    })
}

/// A rename that another process's lingering handle blocks for a while
/// (Windows' sharing violations, antivirus): `mv` fails twice with EBUSY,
/// and a retrying caller gets through on the third run.
fn mv_busy_then_succeeds(dir: &Path) -> io::Result<Row> {
    let text = "rename(*/target/app)=EBUSY@1..2";
    let guard = plan(text);
    std::fs::create_dir(dir.join("target"))?;
    std::fs::write(dir.join("app.new"), "v2")?;
    let mut mv = Command::new("mv");
    mv.args(["app.new", "target/app"])
        .current_dir(dir)
        .env("LC_ALL", "C");
    mv.faults(&guard)?;
    let mut first = None;
    let mut runs = 0;
    let failed = |o: &io::Result<Output>| matches!(o, Ok(o) if !o.status.success());
    let (result, _) = RetryPolicy::new(Classifier::new(|_| true))
        .attempts(5)
        .backoff(Backoff::constant(Duration::from_millis(1)))
        .run_with_report(|| {
            runs += 1;
            let out = run(&mut mv);
            if failed(&out) {
                first.get_or_insert_with(|| said(out.as_ref().unwrap()));
                return Err(io::Error::other("mv failed"));
            }
            out
        });
    Ok(Row {
        scenario: "mv over a busy file: EBUSY twice, then moved",
        plan: text,
        said: first.unwrap_or_default(),
        injected: guard.calls().iter().filter(|c| c.injected()).count(),
        expected: result.is_ok() && runs == 3 && dir.join("target/app").exists(),
    })
}

/// A file held open by something that lets go after a while (a database
/// handle, an indexer): `rm` fails until 50 ms have passed since the first
/// attempt, and a retrying caller waits it out.
fn rm_lingering_handle(dir: &Path) -> io::Result<Row> {
    let text = "remove_file(*/app.db)=busy(EBUSY,50ms)";
    let guard = plan(text);
    std::fs::write(dir.join("app.db"), "data")?;
    let mut rm = Command::new("rm");
    rm.arg("app.db").current_dir(dir).env("LC_ALL", "C");
    rm.faults(&guard)?;
    let mut first = None;
    let (result, report) = RetryPolicy::new(Classifier::new(|_| true))
        .attempts(20)
        .backoff(Backoff::constant(Duration::from_millis(10)))
        .run_with_report(|| {
            let out = run(&mut rm)?;
            if out.status.success() {
                return Ok(());
            }
            first.get_or_insert_with(|| said(&out));
            Err(io::Error::other("rm failed"))
        });
    Ok(Row {
        scenario: "rm of a lingering file: EBUSY for 50 ms",
        plan: text,
        said: format!("{} ({} runs)", first.unwrap_or_default(), report.attempts),
        injected: guard.calls().iter().filter(|c| c.injected()).count(),
        expected: result.is_ok() && report.attempts > 1 && !dir.join("app.db").exists(),
    })
}

/// The flake this crate began with: a shell script runs a stub, and the
/// exec fails with ETXTBSY because some other thread's fork still holds
/// the stub open for writing. Here the kernel says so on demand, inside
/// the shell's own child.
fn sh_stub_text_file_busy(dir: &Path) -> io::Result<Row> {
    let text = "spawn(*/fake-git)=ETXTBSY@1";
    let stub = flakeproof::install_executable_stub(dir, "fake-git", "#!/bin/sh\necho fake\n")?;
    let guard = plan(text);
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(r#""$0" status; echo "exit=$?" >&2"#)
        .arg(&stub);
    sh.faults(&guard)?;
    let out = run(&mut sh)?;
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    Ok(Row {
        scenario: "sh runs a stub: ETXTBSY in the grandchild",
        plan: text,
        said: err.lines().next().unwrap_or_default().to_owned(),
        injected: guard.calls().iter().filter(|c| c.injected()).count(),
        expected: err.contains("Text file busy") && !err.contains("exit=0"),
    })
}

/// cargo puts a fresh binary in place by hard-linking
/// `target/debug/deps/NAME-HASH` to `target/debug/NAME`, and copies when
/// the link fails: failing the link alone, cargo shrugs (found in the
/// spike). Failing the link and the copy's open makes the build fail the
/// way a busy destination does on Windows.
fn cargo_uplift(dir: &Path) -> io::Result<Row> {
    let text = "rename(*/debug/hello)=EBUSY; open_write(*/debug/hello)=EBUSY";
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
    )?;
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n")?;
    let guard = plan(text);
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS");
    cargo.faults(&guard)?;
    let out = run(&mut cargo)?;
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let line = err
        .lines()
        .find(|l| l.contains("error"))
        .unwrap_or_default()
        .to_owned();
    let links = guard
        .calls()
        .iter()
        .filter(|c| c.injected() && c.op == flakeproof::Op::Rename)
        .count();
    Ok(Row {
        scenario: "cargo build: the binary's uplift is busy",
        plan: text,
        said: line,
        injected: guard.calls().iter().filter(|c| c.injected()).count(),
        expected: !out.status.success() && links >= 1,
    })
}
