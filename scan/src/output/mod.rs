//! The three outputs: rustc-like text for a terminal, `--json`, and SARIF
//! 2.1.0 (`--sarif`) for code-scanning services. Each renders a [`Summary`]
//! the command gathers file by file.

mod json;
mod sarif;
mod text;

pub use json::json;
pub use sarif::sarif;
pub use text::{text_error, text_finding, text_summary};

use crate::{Finding, ParseError};

/// A whole run: what every file gave.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Findings, every file's, in the order files were reported.
    pub findings: Vec<Finding>,
    /// Files that did not parse (the rest were still scanned).
    pub errors: Vec<ParseError>,
    /// Files scanned, parsed or not.
    pub files: usize,
    /// Lines in the files that parsed.
    pub lines: usize,
    /// Findings an allow comment silenced.
    pub silenced: usize,
}
