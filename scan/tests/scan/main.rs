//! flakeproof-scan's tests, one binary: each rule on the code it must flag
//! and on the fixed code it must not, allow comments, --fix, the outputs,
//! and the corpus scorer (on a fixture corpus of its own).
#![allow(clippy::disallowed_methods)] // tests make their own files

mod fix;
mod outputs;
mod rules;
mod score;
mod tuned;

use flakeproof_scan::{Finding, Options, scan};

/// The (rule id, line) pairs a source gives, as a test file.
pub fn found(src: &str) -> Vec<(&'static str, usize)> {
    found_in("tests/case.rs", src)
}

pub fn found_in(path: &str, src: &str) -> Vec<(&'static str, usize)> {
    findings(path, src)
        .iter()
        .map(|f| (f.rule.id(), f.line))
        .collect()
}

pub fn findings(path: &str, src: &str) -> Vec<Finding> {
    scan(path, src, &Options::default())
        .expect("parses")
        .findings
}
