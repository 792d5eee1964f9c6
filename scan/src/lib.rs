//! `flakeproof scan`'s analysis: Rust source text in, findings out. It
//! reads files with `syn`, never with regexes over code, and makes no OS
//! call: the command walks the tree and hands each file's text here.
//!
//! ```
//! let src = r##"
//! #[test]
//! fn runs_the_stub() {
//!     std::fs::write(&stub, "#!/bin/sh\necho hi\n").unwrap();
//!     std::fs::set_permissions(&stub, Permissions::from_mode(0o755)).unwrap();
//!     std::process::Command::new(&stub).status().unwrap();
//! }
//! "##;
//! let report = flakeproof_scan::scan("tests/a.rs", src, &Default::default()).unwrap();
//! let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.id()).collect();
//! assert_eq!(rules, ["write-then-exec", "shell-script-stub"]);
//! assert_eq!(report.findings[0].line, 4);
//! ```
//!
//! The rules, what each finds and misses, and the fix each names:
//! docs/scan.md.

mod analyze;
mod crate_facts;
mod finding;
mod fix;
mod keys;
mod model;
pub mod output;
mod rules;
mod suppress;

pub use analyze::{Options, Report, scan};
pub use crate_facts::{manifest_builds_for_windows, mentions_windows};
pub use finding::{Finding, ParseError, Rule, Severity};
pub use fix::{Fixed, fix};
