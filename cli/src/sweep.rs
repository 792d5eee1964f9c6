//! `flakeproof sweep`: the library's failure-point sweep for any command.
//! CMD runs once per call RULE matches, with that call alone failed (or
//! delayed), after `--setup` has reset the state; each point is judged by
//! CMD's status, by `--check` (run after it, unfaulted), and by what the
//! `--watch` directories hold that a clean run leaves no trace of.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use flakeproof::fault::{FaultScope, Outcome};
use flakeproof::process::ChildFaultsExt;
use serde::Serialize;

use crate::exit::{self, fail};
use crate::term::Paint;

/// The options of one sweep.
pub(crate) struct Options<'a> {
    pub(crate) rule: &'a str,
    pub(crate) setup: Option<&'a str>,
    pub(crate) check: Option<&'a str>,
    pub(crate) watch: &'a [PathBuf],
    pub(crate) max: u64,
    pub(crate) json: bool,
    pub(crate) cmd: &'a [OsString],
}

/// One fault point, as the table and `--json` show it.
#[derive(Serialize)]
struct Point {
    k: u64,
    /// The call that was failed or delayed: op and path.
    call: Option<String>,
    /// CMD's status (128 + N for signal N).
    status: i32,
    /// `--check`'s verdict; absent without `--check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    check_passed: Option<bool>,
    /// Paths in the watched directories that a clean run doesn't leave.
    debris: Vec<PathBuf>,
}

impl Point {
    fn bad(&self) -> bool {
        self.check_passed == Some(false) || !self.debris.is_empty()
    }
}

pub(crate) fn sweep(o: &Options<'_>) -> ExitCode {
    for dir in o.watch {
        if !dir.is_dir() {
            return fail(
                exit::OWN_FAILURE,
                format_args!("--watch {}: not a directory", dir.display()),
            );
        }
    }
    // The clean run: what the watched directories hold after CMD runs with
    // no fault. A point's debris is what it leaves beyond that.
    if let Err(e) = shell(o.setup, "--setup") {
        return fail(exit::OWN_FAILURE, e);
    }
    let clean = match run_cmd(o.cmd, None) {
        Ok(_) => snapshot(o.watch),
        Err(e) => return spawn_failure(o.cmd, &e),
    };
    let mut points: Vec<Point> = Vec::new();
    let mut trouble: Option<ExitCode> = None;
    // The gate alone on this thread: the kernel would count (and fail) this
    // command's own calls (its snapshots of the watched directories); CMD's
    // calls reach the plan through the child plan attached in `run_cmd`.
    let result = flakeproof::Sweep::gate_only(o.rule, |scope| {
        if trouble.is_some() || points.len() as u64 >= o.max {
            // Stop reaching: a run with no fault ends the sweep.
            return Ok(());
        }
        if let Err(e) = shell(o.setup, "--setup") {
            trouble = Some(fail(exit::OWN_FAILURE, e));
            return Ok(());
        }
        let status = match run_cmd(o.cmd, Some(scope)) {
            Ok(s) => s,
            Err(e) => {
                trouble = Some(spawn_failure(o.cmd, &e));
                return Ok(());
            }
        };
        let check_passed = o.check.map(|c| shell(Some(c), "--check").is_ok());
        let debris = snapshot(o.watch).difference(&clean).cloned().collect();
        let call = scope
            .calls()
            .into_iter()
            .find(|c| c.outcome != Outcome::Passed)
            .map(|c| format!("{} {}", c.op.name(), c.path.display()));
        if call.is_some() {
            points.push(Point {
                k: points.len() as u64 + 1,
                call,
                status,
                check_passed,
                debris,
            });
        }
        Ok(())
    });
    if let Some(code) = trouble {
        return code;
    }
    let sweep = match result {
        Ok(s) => s,
        Err(e) => return fail(exit::OWN_FAILURE, format_args!("RULE: {e}")),
    };
    if sweep.points == 0 {
        return fail(
            exit::UNREACHED,
            format_args!(
                "`{}` reached no call of the command: nothing was tested (is the rule's \
                 operation or path one the command uses?)",
                sweep.rule
            ),
        );
    }
    report(&sweep.rule, &points, points.len() as u64 >= o.max, o.json);
    if points.iter().any(Point::bad) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn report(rule: &str, points: &[Point], capped: bool, json: bool) {
    if json {
        #[derive(Serialize)]
        struct Report<'a> {
            rule: &'a str,
            points: &'a [Point],
            stopped_at_max: bool,
        }
        let r = Report {
            rule,
            points,
            stopped_at_max: capped,
        };
        match serde_json::to_string(&r) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("flakeproof: the report: {e}"),
        }
        return;
    }
    let bad = points.iter().filter(|p| p.bad()).count();
    let paint = Paint::stdout();
    println!(
        "flakeproof sweep `{rule}`: {} point(s), {}{}",
        points.len(),
        paint.verdict(bad > 0, format_args!("{bad} not recovered from")),
        if capped { " (stopped at --max)" } else { "" }
    );
    for p in points {
        let check = match p.check_passed {
            Some(true) => paint.good("check ok"),
            Some(false) => paint.bad("CHECK FAILED"),
            None => String::new(),
        };
        let debris: Vec<String> = p.debris.iter().map(|d| d.display().to_string()).collect();
        println!(
            "  @{:<3} {:<50} exit {:<3} {check}{}{}",
            p.k,
            p.call.as_deref().unwrap_or("?"),
            p.status,
            if debris.is_empty() {
                String::new()
            } else {
                paint.bad("  DEBRIS: ")
            },
            debris.join(", ")
        );
    }
}

/// Run CMD, under `scope` when given; its status, 128 + N for signal N.
fn run_cmd(cmd: &[OsString], scope: Option<&FaultScope>) -> io::Result<i32> {
    let mut c = Command::new(&cmd[0]);
    c.args(&cmd[1..]).stdin(Stdio::null());
    if let Some(scope) = scope {
        c.faults(scope)?;
    }
    let s = c.status()?;
    Ok(s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)))
}

/// `sh -c script`, unfaulted; Err names the option if it fails.
fn shell(script: Option<&str>, what: &str) -> Result<(), String> {
    let Some(script) = script else {
        return Ok(());
    };
    match Command::new("sh").args(["-c", script]).status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} `{script}` failed ({s})")),
        Err(e) => Err(format!("{what} `{script}`: {e}")),
    }
}

fn spawn_failure(cmd: &[OsString], e: &io::Error) -> ExitCode {
    exit::start_failure(&cmd[0], e)
}

/// Every path under the watched directories.
fn snapshot(dirs: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut all = BTreeSet::new();
    for d in dirs {
        walk(d, &mut all);
    }
    all
}

fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&p, out);
        }
        out.insert(p);
    }
}
