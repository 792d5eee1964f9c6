//! What a whole run gathered, for the outputs to render.

use crate::finding::{Finding, ParseError};

/// A whole run: what every file gave.
///
/// ```
/// let mut run = flakeproof_scan::output::Summary::default();
/// run.files = 1;
/// assert!(flakeproof_scan::output::text_summary(&run).contains("in 1 file(s)"));
/// ```
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
