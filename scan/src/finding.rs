//! What a scan reports: the five rules (their ids are fixed: a corpus is
//! labelled with them), severities, findings, and a file that didn't parse.

use serde::Serialize;

/// One of the patterns `flakeproof scan` looks for. New rules may come:
/// match with a wildcard arm.
///
/// ```
/// use flakeproof_scan::Rule;
/// assert_eq!(Rule::from_id("write-then-exec"), Some(Rule::WriteThenExec));
/// assert_eq!(Rule::ALL.len(), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
#[non_exhaustive]
pub enum Rule {
    /// An executable written in place, given execute bits and run.
    WriteThenExec,
    /// A shell script written to a file by a test: a fake command by hand.
    ShellScriptStub,
    /// An ETXTBSY check written by hand (errno 26, `ETXTBSY`, ...).
    HandRolledEtxtbsyRetry,
    /// A copy or write onto a program that is run or is a build output.
    InPlaceReplace,
    /// A rename or removal in code built for Windows, with no retry.
    UnretriedWindowsFs,
}

impl Rule {
    /// Every rule, in the order the docs list them.
    ///
    /// ```
    /// let ids: Vec<_> = flakeproof_scan::Rule::ALL.iter().map(|r| r.id()).collect();
    /// assert!(ids.contains(&"unretried-windows-fs"));
    /// ```
    pub const ALL: [Rule; 5] = [
        Rule::WriteThenExec,
        Rule::ShellScriptStub,
        Rule::HandRolledEtxtbsyRetry,
        Rule::InPlaceReplace,
        Rule::UnretriedWindowsFs,
    ];

    /// The stable id, as in `// flakeproof: allow(write-then-exec) reason`.
    ///
    /// ```
    /// assert_eq!(flakeproof_scan::Rule::InPlaceReplace.id(), "in-place-replace");
    /// ```
    pub fn id(self) -> &'static str {
        match self {
            Rule::WriteThenExec => "write-then-exec",
            Rule::ShellScriptStub => "shell-script-stub",
            Rule::HandRolledEtxtbsyRetry => "hand-rolled-etxtbsy-retry",
            Rule::InPlaceReplace => "in-place-replace",
            Rule::UnretriedWindowsFs => "unretried-windows-fs",
        }
    }

    /// The rule with this id.
    ///
    /// ```
    /// assert!(flakeproof_scan::Rule::from_id("no-such-rule").is_none());
    /// ```
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id)
    }

    /// How bad a finding of this rule is.
    ///
    /// ```
    /// use flakeproof_scan::{Rule, Severity};
    /// assert_eq!(Rule::WriteThenExec.severity(), Severity::Error);
    /// ```
    pub fn severity(self) -> Severity {
        match self {
            Rule::WriteThenExec | Rule::InPlaceReplace => Severity::Error,
            Rule::ShellScriptStub | Rule::UnretriedWindowsFs | Rule::HandRolledEtxtbsyRetry => {
                Severity::Warning
            }
        }
    }

    /// One line for SARIF's rule list and the docs.
    ///
    /// ```
    /// assert!(!flakeproof_scan::Rule::ShellScriptStub.title().is_empty());
    /// ```
    pub fn title(self) -> &'static str {
        match self {
            Rule::WriteThenExec => "an executable written in place, then run",
            Rule::ShellScriptStub => "a shell script written as a fake command in a test",
            Rule::HandRolledEtxtbsyRetry => "an ETXTBSY retry written by hand",
            Rule::InPlaceReplace => "a copy or write over a program that is run or built",
            Rule::UnretriedWindowsFs => "a rename or removal on Windows with no retry",
        }
    }
}

impl From<Rule> for &'static str {
    fn from(r: Rule) -> &'static str {
        r.id()
    }
}

/// How bad a finding is: `error` can fail a run today, `warning` can on
/// some machines or is a weaker fix than flakeproof's.
///
/// ```
/// assert_eq!(flakeproof_scan::Rule::UnretriedWindowsFs.severity().as_str(), "warning");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Fails runs under load (ETXTBSY, EPERM) as written.
    Error,
    /// Fails on some OS or machines, or retries less well than it could.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as rustc and SARIF spell them.
    ///
    /// ```
    /// assert_eq!(flakeproof_scan::Severity::Error.as_str(), "error");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One site, with what can go wrong and the fix.
///
/// ```
/// let src = "#[cfg(windows)]\nfn f(a: &std::path::Path, b: &std::path::Path) { std::fs::rename(a, b).unwrap(); }\n";
/// let f = &flakeproof_scan::scan("src/f.rs", src, &Default::default()).unwrap().findings[0];
/// assert_eq!((f.rule.id(), f.line), ("unretried-windows-fs", 2));
/// assert!(f.fix.contains("flakeproof::robust::rename"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id when serialized.
    pub rule: Rule,
    /// The rule's severity.
    pub severity: Severity,
    /// The path the caller gave for the source.
    pub file: String,
    /// 1-based line of the anchor (the write, the check token, the call).
    pub line: usize,
    /// 1-based column (in characters) of the anchor.
    pub column: usize,
    /// The anchor's source line (trailing blanks trimmed).
    pub snippet: String,
    /// What can go wrong, in one sentence.
    pub risk: String,
    /// The fix, naming flakeproof's API (or std's).
    pub fix: String,
    /// More about this site: a known wrong fix, a retry that never fires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A file that was not scanned: not valid Rust to `syn`, nested too deep
/// to parse safely, or (`unreadable`) not read at all. The scan of the
/// others goes on.
///
/// ```
/// let e = flakeproof_scan::scan("src/bad.rs", "fn f( {", &Default::default()).unwrap_err();
/// assert!(!e.unreadable && e.file == "src/bad.rs" && e.line == 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ParseError {
    /// The path the caller gave.
    pub file: String,
    /// 1-based line of the error (1 for a file not read).
    pub line: usize,
    /// 1-based column of the error (1 for a file not read).
    pub column: usize,
    /// What went wrong: syn's message, or the OS's.
    pub message: String,
    /// The file could not be read (or its directory listed); else it was
    /// read and not parsed.
    pub unreadable: bool,
}

impl ParseError {
    /// A file or directory the caller could not read.
    ///
    /// ```
    /// let e = flakeproof_scan::ParseError::unreadable("src/a.rs", "Permission denied (os error 13)");
    /// assert!(e.unreadable && e.line == 1);
    /// ```
    pub fn unreadable(file: &str, why: impl std::fmt::Display) -> ParseError {
        ParseError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message: why.to_string(),
            unreadable: true,
        }
    }
}
