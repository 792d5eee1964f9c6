//! `flakeproof scan`: walk the given paths for `.rs` files (skipping
//! `target/` and hidden directories), scan each with flakeproof-scan on a
//! pool of threads, and report. Files stream through a bounded queue from
//! one walker to the workers, and each worker holds one file at a time, so
//! memory follows the largest file, not the tree; findings are kept only
//! for `--json` and `--sarif`, which print one document at the end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use flakeproof_scan::output::{self, Summary};
use flakeproof_scan::{Finding, Options as ScanOptions, ParseError, Rule};

use crate::crates::Crates;
use crate::exit;
use crate::term::Paint;
use crate::walk::{Walked, excluded, walk};

pub(crate) struct Options<'a> {
    pub paths: &'a [PathBuf],
    pub json: bool,
    pub sarif: bool,
    pub fix: bool,
    pub windows: bool,
    pub jobs: Option<usize>,
    pub exclude: &'a [PathBuf],
}

/// What one file gave.
enum Outcome {
    Scanned {
        findings: Vec<Finding>,
        lines: usize,
        silenced: usize,
        fixed: Vec<usize>,
    },
    Unparsed(ParseError),
    Unreadable(String),
}

pub(crate) fn scan(o: &Options) -> ExitCode {
    let roots: Vec<PathBuf> = if o.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        o.paths.to_vec()
    };
    for r in &roots {
        // A root is followed if it is a link (`scan link-to-crate`);
        // links below it are not (no loops).
        if let Err(e) = std::fs::metadata(r) {
            return exit::fail(2, format_args!("scan: {}: {e}", r.display()));
        }
    }
    let jobs = o
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    // Compared as real paths, so `./x`, `x` and `/abs/x` are one; an
    // exclude that names nothing is a mistake, not a no-op.
    let mut exclude = Vec::new();
    for e in o.exclude {
        match std::fs::canonicalize(e) {
            Ok(c) => exclude.push(c),
            Err(err) => {
                return exit::fail(2, format_args!("scan: --exclude {}: {err}", e.display()));
            }
        }
    }
    let (to_workers, queue) = sync_channel::<(usize, Walked)>(jobs * 4);
    let queue = Arc::new(Mutex::new(queue));
    let (to_report, results) = sync_channel::<(usize, PathBuf, Outcome)>(jobs * 4);
    let opts = ScanOptions {
        windows_everywhere: o.windows,
        path_in_crate: None,
    };
    let crates = Crates::new(&exclude);
    let exclude = &exclude;
    let streaming = !o.json && !o.sarif;
    let mut summary = Summary::default();
    let mut unreadable = 0;
    let mut found = 0;
    std::thread::scope(|s| {
        s.spawn(move || {
            let skip = |p: &Path| excluded(p, exclude);
            let mut seq = 0;
            for r in &roots {
                walk(r, true, &skip, &mut |w| {
                    seq += 1;
                    to_workers.send((seq - 1, w)).is_ok()
                });
            }
        });
        for _ in 0..jobs {
            let (queue, to_report, opts) = (Arc::clone(&queue), to_report.clone(), opts.clone());
            let crates = &crates;
            // syn's parser recurses per nesting level: a roomy stack, with
            // flakeproof-scan refusing files nested past its limit, keeps a
            // deep file from overflowing it (an abort no catch_unwind sees).
            let worker = std::thread::Builder::new()
                .name("flakeproof-scan".into())
                .stack_size(64 << 20)
                .spawn_scoped(s, move || work(&queue, &to_report, &opts, crates, o.fix));
            if let Err(e) = worker {
                eprintln!("flakeproof scan: could not start a scanning thread: {e}");
            }
        }
        drop(to_report);
        let paint = Paint::stdout();
        let mut out = std::io::stdout().lock();
        // Reported in the walk's order whatever order the workers finish
        // in: the same tree prints the same, with one thread or many.
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0;
        let in_order = results.into_iter().flat_map(|(i, path, outcome)| {
            pending.insert(i, (path, outcome));
            std::iter::from_fn(|| {
                let ready = pending.remove(&next)?;
                next += 1;
                Some(ready)
            })
            .collect::<Vec<_>>()
        });
        for (path, outcome) in in_order {
            summary.files += 1;
            match outcome {
                Outcome::Scanned {
                    findings,
                    lines,
                    silenced,
                    fixed,
                } => {
                    found += findings.len();
                    summary.lines += lines;
                    summary.silenced += silenced;
                    for line in fixed {
                        eprintln!(
                            "flakeproof scan: fixed {}:{line}: the retry loop is now a retrying spawn",
                            path.display()
                        );
                    }
                    if streaming {
                        for f in &findings {
                            let _ = writeln!(out, "{}", output::text_finding(f, paint.on()));
                        }
                    } else {
                        summary.findings.extend(findings);
                    }
                }
                Outcome::Unparsed(e) => {
                    if streaming {
                        let _ = writeln!(out, "{}", output::text_error(&e));
                    }
                    summary.errors.push(e);
                }
                Outcome::Unreadable(e) => {
                    unreadable += 1;
                    let e = flakeproof_scan::ParseError::unreadable(&display(&path), e);
                    if streaming {
                        let _ = writeln!(out, "{}", output::text_error(&e));
                    }
                    summary.errors.push(e);
                }
            }
        }
    });
    if summary.files == 0 {
        eprintln!("flakeproof scan: no .rs file under the paths given: nothing was scanned");
    }
    summary
        .findings
        .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    summary.errors.sort_by(|a, b| a.file.cmp(&b.file));
    let doc = if o.sarif {
        Some(output::sarif(&summary))
    } else if o.json {
        Some(output::json(&summary))
    } else {
        None
    };
    match doc {
        Some(d) => println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
        None => eprintln!("{}", summary_line(&summary, found)),
    }
    let status = if !summary.errors.is_empty() || unreadable > 0 {
        exit::SCAN_UNPARSED
    } else if found > 0 {
        1
    } else {
        0
    };
    ExitCode::from(status)
}

/// The closing line; in text mode the findings were printed, not kept.
fn summary_line(s: &Summary, found: usize) -> String {
    output::text_summary(s).replacen(
        &format!("{} finding(s)", s.findings.len()),
        &format!("{found} finding(s)"),
        1,
    )
}

fn work(
    queue: &Mutex<Receiver<(usize, Walked)>>,
    report: &std::sync::mpsc::SyncSender<(usize, PathBuf, Outcome)>,
    opts: &ScanOptions,
    crates: &Crates,
    fix: bool,
) {
    loop {
        let next = queue.lock().map(|q| q.recv());
        let Ok(Ok((i, walked))) = next else { return };
        let path = match walked {
            Ok(path) => path,
            Err((path, e)) => {
                if report.send((i, path, Outcome::Unreadable(e))).is_err() {
                    return;
                }
                continue;
            }
        };
        // A scanner bug on one file must not take the others down with it.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let facts = crates.facts(&path, !opts.windows_everywhere);
            let opts = ScanOptions {
                windows_everywhere: opts.windows_everywhere || facts.windows,
                path_in_crate: facts.path_in_crate,
            };
            one(&path, &opts, fix)
        }))
        .unwrap_or_else(|_| {
            Outcome::Unreadable(
                "the scanner panicked on this file (a bug: please report it)".into(),
            )
        });
        if report.send((i, path, outcome)).is_err() {
            return;
        }
    }
}

fn one(path: &Path, opts: &ScanOptions, fix: bool) -> Outcome {
    let name = display(path);
    let mut text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Outcome::Unreadable(e.to_string()),
    };
    let mut fixed = Vec::new();
    if fix {
        match flakeproof_scan::scan(&name, &text, opts) {
            Ok(r)
                if r.findings
                    .iter()
                    .any(|f| f.rule == Rule::HandRolledEtxtbsyRetry) =>
            {
                if let Ok(f) = flakeproof_scan::fix(&name, &text)
                    && !f.rewritten.is_empty()
                {
                    if let Err(e) = write_whole(path, &f.text) {
                        return Outcome::Unreadable(format!("--fix could not write it: {e}"));
                    }
                    fixed = f.rewritten;
                    text = f.text;
                }
            }
            Ok(_) => {}
            Err(e) => return Outcome::Unparsed(e),
        }
    }
    match flakeproof_scan::scan(&name, &text, opts) {
        Ok(r) => Outcome::Scanned {
            findings: r.findings,
            lines: r.lines,
            silenced: r.silenced,
            fixed,
        },
        Err(e) => Outcome::Unparsed(e),
    }
}

/// Replace `path`'s content whole: a new file beside it, given the old
/// one's permissions, renamed over it, so that an editor or a build reading
/// it meanwhile sees the old text or the new one, never half of each.
fn write_whole(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.flakeproof-fix-{}", std::process::id()));
    let written = std::fs::write(&tmp, text)
        .and_then(|()| std::fs::set_permissions(&tmp, std::fs::metadata(path)?.permissions()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// A path as findings name it: `./` dropped, forward slashes.
fn display(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
