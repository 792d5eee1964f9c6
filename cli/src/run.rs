//! `flakeproof run`: CMD under a fault plan, its whole tree included, then
//! what the plan did. The plan's record stays in this process (the
//! supervisor answers CMD's tree from here), so the summary and `--record`
//! see every call of every process.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flakeproof::fault::{Call, FaultPlan, Outcome};
use flakeproof::process::ChildFaultsExt;
use flakeproof::shield::{Shield, ShieldExt};
use serde::Serialize;

use crate::exit::{self, fail};
use crate::term::Paint;

/// Failed or delayed calls listed in the text summary; the rest are counted.
const LISTED: usize = 20;

pub(crate) fn run(
    plan: &str,
    record: Option<&Path>,
    json: bool,
    shield: bool,
    cmd: &[OsString],
) -> ExitCode {
    let plan = match FaultPlan::parse(plan) {
        Ok(p) => p,
        Err(e) => return fail(exit::OWN_FAILURE, format_args!("--faults: {e}")),
    };
    // Opened before CMD runs, so an unwritable path stops everything before
    // anything happened; removed again if CMD never runs.
    let mut sink = match record.map(Record::create).transpose() {
        Ok(s) => s,
        Err((path, e)) => {
            return fail(
                exit::OWN_FAILURE,
                format_args!("--record {}: {e}", path.display()),
            );
        }
    };
    let guard = plan.activate();
    let mut child = std::process::Command::new(&cmd[0]);
    child.args(&cmd[1..]);
    // With --shield: one listener for both, the plan asked first.
    let shielding = shield.then(Shield::new);
    let attached = match &shielding {
        Some(s) => child.shield_with_faults(s, &guard).map(|_| ()),
        None => child.faults(&guard).map(|_| ()),
    };
    if let Err(e) = attached {
        Record::discard(sink.take());
        // CMD is never run unfaulted: 123 if a listener owns the tree
        // already (the error names it), 124 if there is no support here.
        let status = exit::refused(&e);
        return fail(status, format_args!("CMD not run: {e}"));
    }
    // Ctrl-C (and a TERM) reach CMD's process group from the terminal;
    // flakeproof must outlive them to print what the plan did, and to end
    // the plan (the guard's drop kills what is left of the tree).
    exit::outlive_interrupts();
    let status = match child.status() {
        Ok(s) => s,
        Err(e) => {
            // The spawn consulted the plan: a `spawn` rule may be why.
            summarize(&guard.calls(), &guard.plan(), None, json);
            Record::discard(sink.take());
            return exit::start_failure(&cmd[0], &e);
        }
    };
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    let calls = guard.calls();
    summarize(&calls, &guard.plan(), Some(code), json);
    if let Some(s) = &shielding {
        if json {
            // A second object, the shield's, as `shield --json` prints it.
            crate::shield::print_json(&s.report(), code);
        } else {
            crate::shield::summary(&s.report());
        }
    }
    if guard.calls_dropped() > 0 {
        eprintln!(
            "flakeproof: the record kept the newest calls only ({} older ones left it; the counts are exact)",
            guard.calls_dropped()
        );
    }
    if let Some(sink) = sink
        && let Err((path, e)) = sink.write(&calls)
    {
        eprintln!("flakeproof: --record {}: {e}", path.display());
        return ExitCode::from(exit::OWN_FAILURE);
    }
    // Shells report a status above 255 modulo 256; CMD's own never is.
    ExitCode::from(code as u8)
}

/// One recorded call, as a `--record` line and in the JSON summary.
#[derive(Serialize)]
struct CallLine<'a> {
    op: &'static str,
    path: &'a Path,
    outcome: &'static str,
    /// The injected raw OS error.
    #[serde(skip_serializing_if = "Option::is_none")]
    errno: Option<i32>,
    /// Any injected delay, in microseconds.
    delay_us: u128,
    pid: u32,
    /// The program that made the call; absent for this process's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    exe: Option<&'a Path>,
}

impl<'a> From<&'a Call> for CallLine<'a> {
    fn from(c: &'a Call) -> Self {
        let (outcome, errno, delay) = match c.outcome {
            Outcome::Injected {
                raw_os_error,
                delayed,
            } => ("injected", Some(raw_os_error), delayed),
            Outcome::Delayed(d) => ("delayed", None, d),
            _ => ("passed", None, Default::default()),
        };
        CallLine {
            op: c.op.name(),
            path: &c.path,
            outcome,
            errno,
            delay_us: delay.as_micros(),
            pid: c.pid,
            exe: c.exe.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    plan: &'a str,
    consulted: usize,
    failed: Vec<CallLine<'a>>,
    delayed: Vec<CallLine<'a>>,
    /// CMD's status (128 + N for signal N); absent if it never ran.
    status: Option<i32>,
}

fn summarize(calls: &[Call], plan: &str, status: Option<i32>, json: bool) {
    let pick = |what: &str| -> Vec<CallLine<'_>> {
        calls
            .iter()
            .map(CallLine::from)
            .filter(|l| l.outcome == what)
            .collect()
    };
    let summary = Summary {
        plan,
        consulted: calls.len(),
        failed: pick("injected"),
        delayed: pick("delayed"),
        status,
    };
    if json {
        match serde_json::to_string(&summary) {
            Ok(s) => eprintln!("{s}"),
            Err(e) => eprintln!("flakeproof: the summary: {e}"),
        }
        return;
    }
    let paint = Paint::stderr();
    let failed = format!("{} call(s) failed", summary.failed.len());
    eprintln!(
        "flakeproof run: plan `{}`: {}, {} delayed, {} consulted the plan",
        summary.plan,
        // Marked: the calls the plan failed are what a reader looks for.
        if summary.failed.is_empty() {
            failed
        } else {
            paint.bad(failed)
        },
        summary.delayed.len(),
        summary.consulted
    );
    let listed = summary.failed.iter().chain(&summary.delayed);
    for line in listed.clone().take(LISTED) {
        let what = match line.errno {
            Some(n) => io::Error::from_raw_os_error(n).to_string(),
            None => format!("delayed {} µs", line.delay_us),
        };
        let who = match line.exe {
            Some(exe) => format!("pid {} {}", line.pid, exe.display()),
            None => format!("pid {} (flakeproof)", line.pid),
        };
        eprintln!("  {} {}: {what}  [{who}]", line.op, line.path.display());
    }
    let more = listed.count().saturating_sub(LISTED);
    if more > 0 {
        eprintln!("  ... and {more} more (--record lists every call)");
    }
}

/// The `--record` file: created before CMD runs, written at the end.
struct Record {
    path: PathBuf,
    file: File,
}

impl Record {
    fn create(path: &Path) -> Result<Record, (PathBuf, io::Error)> {
        match File::create(path) {
            Ok(file) => Ok(Record {
                path: path.to_owned(),
                file,
            }),
            Err(e) => Err((path.to_owned(), e)),
        }
    }

    /// CMD never ran: leave nothing behind.
    fn discard(record: Option<Record>) {
        if let Some(r) = record {
            drop(r.file);
            let _ = std::fs::remove_file(&r.path);
        }
    }

    fn write(self, calls: &[Call]) -> Result<(), (PathBuf, io::Error)> {
        let mut out = BufWriter::new(&self.file);
        let result = calls
            .iter()
            .try_for_each(|c| {
                serde_json::to_writer(&mut out, &CallLine::from(c)).map_err(io::Error::from)?;
                out.write_all(b"\n")
            })
            .and_then(|()| out.flush());
        result.map_err(|e| (self.path.clone(), e))
    }
}
