//! `flakeproof shield`: CMD's whole tree with every exec held while its
//! file still has a writer (the library's `shield` module), so that no exec
//! in it fails with ETXTBSY, whatever language the suite is in. At exit, a
//! line on stderr saying what the shield held.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    not_ours: u64,
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
            not_ours: r.not_ours,
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
    // before anything happened. Not truncated yet, and removed again only
    // if this run created it.
    let mut created = false;
    if let Some(path) = o.report {
        created = !path.exists();
        if let Err(e) = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
        {
            return fail(
                exit::OWN_FAILURE,
                format_args!("--report {}: {e}", path.display()),
            );
        }
    }
    let discard = || {
        if let Some(p) = o.report.filter(|_| created) {
            let _ = std::fs::remove_file(p);
        }
    };
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
            discard();
            return fail(exit::refused(&e), format_args!("CMD not run: {e}"));
        }
    };
    exit::outlive_interrupts();
    let status = match child.status() {
        Ok(s) => s,
        Err(e) => {
            discard();
            return exit::start_failure(&o.cmd[0], &e);
        }
    };
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    if !shielded {
        discard();
        return ExitCode::from(code as u8);
    }
    drop(child);
    outliving(&shield);
    let r = shield.report();
    let report = Report::new(&r, code);
    // The report file first: a closed stderr must not cost it.
    if let Some(path) = o.report {
        let written = serde_json::to_vec(&report)
            .map_err(std::io::Error::from)
            .and_then(|mut v| {
                v.push(b'\n');
                std::fs::write(path, v)
            });
        if let Err(e) = written {
            let _ = writeln!(
                std::io::stderr(),
                "flakeproof: --report {}: {e}",
                path.display()
            );
            return ExitCode::from(exit::OWN_FAILURE);
        }
    }
    if o.json {
        print_json(&r, code);
    } else {
        summary(&r);
    }
    ExitCode::from(code as u8)
}

/// The report as one JSON object on stderr.
pub(crate) fn print_json(r: &ShieldReport, status: i32) {
    if let Ok(s) = serde_json::to_string(&Report::new(r, status)) {
        let _ = writeln!(std::io::stderr(), "{s}");
    }
}

/// CMD has exited; processes it left running are still in the shielded
/// tree, and once this process exits the kernel fails their execs with
/// ENOSYS (the listener is gone). Give them a moment to end, then say so.
pub(crate) fn outliving(shield: &Shield) {
    let give_up = Instant::now() + Duration::from_millis(500);
    while shield.report().trees_running > 0 && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(5));
    }
    let left = shield.report().trees_running;
    if left > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "flakeproof: warning: {left} process tree(s) of CMD still run after it exited \
             (background processes): the shield ends with flakeproof, and the kernel fails \
             their execs with ENOSYS from now on; wait for them inside CMD"
        );
    }
}

/// The one line at exit (`run --shield` prints it too).
pub(crate) fn summary(r: &ShieldReport) {
    let paint = Paint::stderr();
    let budget = format!(
        "{} released by the budget ({:?}, kernel answered ETXTBSY)",
        r.released_by_budget, r.budget
    );
    // Written whatever stderr is (a closed pipe must not cost the report).
    let _ = writeln!(
        std::io::stderr(),
        "flakeproof shield: {} exec(s), {} held (longest {:.1} ms, {:.1} ms in all), {}, {} unchecked, \
         {} another user's",
        r.execs,
        r.held,
        r.longest_hold.as_secs_f64() * 1e3,
        r.total_hold.as_secs_f64() * 1e3,
        paint.verdict(r.released_by_budget > 0, budget),
        r.unchecked,
        r.not_ours
    );
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
    Duration::try_from_secs_f64(v * scale).ok()
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
        assert_eq!(parse_duration("1e300"), None, "too long for a Duration");
    }
}
