//! rustc's shape: `error[rule-id]: risk`, the location, the line with a
//! caret under the anchor, then `= fix:` and `= note:`.

use crate::finding::{Finding, ParseError};

use super::summary::Summary;

/// One finding as rustc would print it; `colour` adds ANSI styles.
///
/// ```
/// let src = "#[cfg(windows)]\nfn f(p: &std::path::Path) { std::fs::remove_file(p).unwrap(); }\n";
/// let r = flakeproof_scan::scan("src/f.rs", src, &Default::default()).unwrap();
/// let text = flakeproof_scan::output::text_finding(&r.findings[0], false);
/// assert!(text.starts_with("warning[unretried-windows-fs]") && text.contains("--> src/f.rs:2:"));
/// ```
pub fn text_finding(f: &Finding, colour: bool) -> String {
    let (bold, red, yellow, blue, reset) = if colour {
        (
            "\x1b[1m",
            "\x1b[1;31m",
            "\x1b[1;33m",
            "\x1b[1;34m",
            "\x1b[0m",
        )
    } else {
        ("", "", "", "", "")
    };
    let level = f.severity.as_str();
    let tint = if level == "error" { red } else { yellow };
    let width = f.line.to_string().len();
    let pad = " ".repeat(width);
    let caret = " ".repeat(f.column.saturating_sub(1).min(200));
    let mut s = format!(
        "{tint}{level}[{}]{reset}{bold}: {}{reset}\n{pad}{blue}-->{reset} {}:{}:{}\n{pad} {blue}|{reset}\n",
        f.rule.id(),
        f.rule.title(),
        f.file,
        f.line,
        f.column
    );
    s.push_str(&format!("{blue}{} |{reset} {}\n", f.line, f.snippet));
    s.push_str(&format!("{pad} {blue}|{reset} {caret}{tint}^{reset}\n"));
    s.push_str(&format!(
        "{pad} {blue}={reset} {bold}risk{reset}: {}\n",
        f.risk
    ));
    s.push_str(&format!(
        "{pad} {blue}={reset} {bold}fix{reset}: {}\n",
        f.fix
    ));
    if let Some(n) = &f.note {
        s.push_str(&format!("{pad} {blue}={reset} {bold}note{reset}: {n}\n"));
    }
    s
}

/// A file not scanned: not parsed, or not read.
///
/// ```
/// let e = flakeproof_scan::ParseError::unreadable("src/a.rs", "Permission denied (os error 13)");
/// assert!(flakeproof_scan::output::text_error(&e).starts_with("error[read]"));
/// ```
pub fn text_error(e: &ParseError) -> String {
    let (kind, why) = if e.unreadable {
        ("read", "could not be read")
    } else {
        (
            "parse",
            "not scanned: not valid Rust to syn, or nested too deep",
        )
    };
    format!(
        "error[{kind}]: {}\n --> {}:{}:{}\n  = note: {why}; the other files were scanned\n",
        e.message, e.file, e.line, e.column
    )
}

/// The closing line.
///
/// ```
/// let line = flakeproof_scan::output::text_summary(&Default::default());
/// assert!(line.starts_with("flakeproof scan: 0 finding(s) in 0 file(s)"));
/// ```
pub fn text_summary(s: &Summary) -> String {
    format!(
        "flakeproof scan: {} finding(s) in {} file(s) ({} lines), {} silenced by allow comments, {} file(s) not scanned",
        s.findings.len(),
        s.files,
        s.lines,
        s.silenced,
        s.errors.len()
    )
}
