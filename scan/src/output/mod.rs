//! The three outputs: rustc-like text for a terminal, `--json`, and SARIF
//! 2.1.0 (`--sarif`) for code-scanning services. Each renders a [`Summary`]
//! the command gathers file by file.

mod json;
mod sarif;
mod summary;
mod text;

pub use json::json;
pub use sarif::sarif;
pub use summary::Summary;
pub use text::{text_error, text_finding, text_summary};
