//! One file's scan: parse it with syn (refusing what nests too deep to
//! parse safely), build its model, run the rules, apply allow comments.

use crate::finding::{Finding, ParseError};

/// What a scan may assume beyond the file's own text.
///
/// ```
/// let src = "fn f(tmp_exe: &std::path::Path) { std::fs::remove_file(tmp_exe).unwrap(); }\n";
/// let plain = flakeproof_scan::scan("src/f.rs", src, &Default::default()).unwrap();
/// let everywhere = flakeproof_scan::Options { windows_everywhere: true, ..Default::default() };
/// let windows = flakeproof_scan::scan("src/f.rs", src, &everywhere).unwrap();
/// assert_eq!((plain.findings.len(), windows.findings.len()), (0, 1));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Treat every file as built for Windows (a cross-platform crate), not
    /// only those that say so with a cfg. In code every OS builds,
    /// unretried-windows-fs then reports only calls on files another
    /// process may hold (a staged file or an extracted tool moved into place,
    /// a program, a build's output, a path given to a command). A file whose
    /// path names another OS (`unix.rs`) is still not Windows code.
    pub windows_everywhere: bool,
    /// The file's path inside its crate (`tests/cli.rs`, `src/windows.rs`),
    /// where the caller knows the crate's root: the rules that read a path
    /// (test code under `tests/`, Windows code in `windows.rs`) read this
    /// instead of `file`, so that a checkout under `/home/me/test/` is not
    /// all test code. `None`: `file` is read.
    pub path_in_crate: Option<String>,
}

/// One file's findings.
///
/// ```
/// let r = flakeproof_scan::scan("src/f.rs", "fn f() {}\n", &Default::default()).unwrap();
/// assert_eq!((r.findings.len(), r.silenced, r.lines), (0, 0, 1));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// What the rules found, allow comments applied, in line order.
    pub findings: Vec<Finding>,
    /// How many findings an allow comment silenced.
    pub silenced: usize,
    /// Lines in the file.
    pub lines: usize,
}

/// Scan one file's text. `file` is how findings name it; a path with a
/// `tests` or `benches` component (or a `*_test.rs`, `tests.rs` name) makes
/// every function in it test code for `shell-script-stub`.
///
/// ```
/// let src = "#[test]\nfn t() { std::fs::write(\"gh\", \"#!/bin/sh\\nexit 0\\n\").unwrap(); }\n";
/// let r = flakeproof_scan::scan("tests/t.rs", src, &Default::default()).unwrap();
/// assert_eq!(r.findings[0].rule, flakeproof_scan::Rule::ShellScriptStub);
/// ```
pub fn scan(file: &str, source: &str, options: &Options) -> Result<Report, ParseError> {
    too_deep(file, source)?;
    let parsed = syn::parse_file(source);
    let report = parsed
        .map(|ast| {
            let path = options.path_in_crate.as_deref().unwrap_or(file);
            let model = crate::model::build(&ast, is_test_path(path));
            let found = crate::rules::run(file, path, source, &model, options.windows_everywhere);
            let (findings, silenced) = crate::suppress::apply(source, found);
            Report {
                findings,
                silenced,
                lines: source.lines().count(),
            }
        })
        .map_err(|e| parse_error(file, &e));
    // Spans are kept per thread for as long as it lives: forget this
    // file's, so memory stays bounded by the largest file, not the tree.
    proc_macro2::extra::invalidate_current_thread_spans();
    report
}

pub(crate) fn parse_error(file: &str, e: &syn::Error) -> ParseError {
    let at = e.span().start();
    ParseError {
        file: file.to_string(),
        line: at.line,
        column: at.column + 1,
        message: e.to_string(),
        unreadable: false,
    }
}

/// How deep brackets may nest before a file is refused unparsed. syn's
/// parser and the walk recurse once or more per level, with no limit of
/// their own: a generated file thousands of levels deep overflows a
/// thread's stack (dtolnay/syn#1876), which aborts the process instead of
/// failing the file. Hand-written Rust stays far below this.
const MAX_DEPTH: usize = 500;

/// The file as a parse error if its brackets nest past [`MAX_DEPTH`]
/// (counted over the raw text, strings and comments included: an
/// overestimate, never an under-count).
pub(crate) fn too_deep(file: &str, source: &str) -> Result<(), ParseError> {
    let (mut depth, mut line) = (0usize, 1usize);
    for b in source.bytes() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => line += 1,
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Err(ParseError {
                file: file.to_string(),
                line,
                column: 1,
                message: format!(
                    "brackets nest deeper than {MAX_DEPTH} levels: not parsed, so as not to overflow the stack"
                ),
                unreadable: false,
            });
        }
    }
    Ok(())
}

fn is_test_path(file: &str) -> bool {
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    let name = parts.last().copied().unwrap_or("");
    parts[..parts.len().saturating_sub(1)].iter().any(|p| {
        matches!(
            *p,
            "tests" | "test" | "benches" | "testsuite" | "test_support" | "testutil"
        )
    }) || name.ends_with("_test.rs")
        || name.ends_with("_tests.rs")
        || name == "tests.rs"
        || name == "test.rs"
}
