//! `flakeproof shield`: CMD's whole tree with every exec held while its
//! file still has a writer (the library's `shield` module), so that no exec
//! in it fails with ETXTBSY, whatever language the suite is in. At exit, a
//! line on stderr saying what the shield held.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use flakeproof::shield::{Shield, ShieldExt, ShieldReport};
use serde::Serialize;

use crate::exit::{self, fail};
use crate::term::Paint;

/// The options of one shielded run.
pub(crate) struct Options<'a> {
    pub(crate) budget: Option<&'a str>,
    pub(crate) report: Option<&'a Path>,
    pub(crate) json: bool,
    pub(crate) allow_unshielded: bool,
    pub(crate) cmd: &'a [OsString],
}

#[derive(Serialize)]
struct Report {
    execs: u64,
    held: u64,
    total_hold_ms: f64,
    longest_hold_ms: f64,
    released_by_budget: u64,
    unchecked: u64,
    budget_ms: f64,
    /// CMD's status (128 + N for signal N).
    status: i32,
}

impl Report {
    fn new(r: &ShieldReport, status: i32) -> Report {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        Report {
            execs: r.execs,
            held: r.held,
            total_hold_ms: ms(r.total_hold),
            longest_hold_ms: ms(r.longest_hold),
            released_by_budget: r.released_by_budget,
            unchecked: r.unchecked,
            budget_ms: ms(r.budget),
            status,
        }
    }
}

pub(crate) fn shield(o: &Options<'_>) -> ExitCode {
    let mut shield = Shield::new();
    if let Some(b) = o.budget {
        match parse_duration(b) {
            Some(d) => shield = shield.budget(d),
            None => {
                return fail(
                    exit::OWN_FAILURE,
                    format_args!("--budget {b:?}: not a duration (examples: 500ms, 5s, 2m)"),
                );
            }
        }
    }
    // Checked before CMD runs: an unwritable report path stops everything
    // before anything happened (and leaves no file behind).
    if let Some(path) = o.report
        && let Err(e) = std::fs::File::create(path)
    {
        return fail(
            exit::OWN_FAILURE,
            format_args!("--report {}: {e}", path.display()),
        );
    }
    let mut child = std::process::Command::new(&o.cmd[0]);
    child.args(&o.cmd[1..]);
    let shielded = match child.shield(&shield) {
        Ok(_) => true,
        Err(e) if o.allow_unshielded => {
            eprintln!("flakeproof: warning: CMD runs unshielded (--allow-unshielded): {e}");
            child = std::process::Command::new(&o.cmd[0]);
            child.args(&o.cmd[1..]);
            false
        }
        Err(e) => {
            discard(o.report);
            return fail(exit::refused(&e), format_args!("CMD not run: {e}"));
        }
    };
    exit::outlive_interrupts();
    let status = match child.status() {
        Ok(s) => s,
        Err(e) => {
            discard(o.report);
            return exit::start_failure(&o.cmd[0], &e);
        }
    };
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    if shielded {
        let r = shield.report();
        let report = Report::new(&r, code);
        if o.json {
            match serde_json::to_string(&report) {
                Ok(s) => eprintln!("{s}"),
                Err(e) => eprintln!("flakeproof: the report: {e}"),
            }
        } else {
            summary(&r);
        }
        if let Some(path) = o.report {
            let written = serde_json::to_vec(&report)
                .map_err(std::io::Error::from)
                .and_then(|mut v| {
                    v.push(b'\n');
                    std::fs::write(path, v)
                });
            if let Err(e) = written {
                eprintln!("flakeproof: --report {}: {e}", path.display());
                return ExitCode::from(exit::OWN_FAILURE);
            }
        }
    } else {
        discard(o.report);
    }
    ExitCode::from(code as u8)
}

/// The one line at exit (`run --shield` prints it too).
pub(crate) fn summary(r: &ShieldReport) {
    let paint = Paint::stderr();
    let budget = format!(
        "{} released by the budget ({:?}, kernel answered ETXTBSY)",
        r.released_by_budget, r.budget
    );
    eprintln!(
        "flakeproof shield: {} exec(s), {} held (longest {:.1} ms, {:.1} ms in all), {}, {} unchecked",
        r.execs,
        r.held,
        r.longest_hold.as_secs_f64() * 1e3,
        r.total_hold.as_secs_f64() * 1e3,
        paint.verdict(r.released_by_budget > 0, budget),
        r.unchecked
    );
}

fn discard(report: Option<&Path>) {
    if let Some(p) = report {
        let _ = std::fs::remove_file(p);
    }
}

/// `500ms`, `5s`, `2m`, or plain seconds (`5`, `0.5`).
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = number.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| Duration::from_secs_f64(v * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units_and_refuse_the_rest() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
    }
}
