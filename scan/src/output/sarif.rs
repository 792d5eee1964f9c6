//! `--sarif`: SARIF 2.1.0, the format code-scanning services read: one
//! run, the five rules in the driver (with their help text), one result per
//! finding, and each file that didn't parse as a tool execution notification.

use serde_json::{Value, json};

use crate::finding::Rule;

use super::summary::Summary;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The run as one SARIF 2.1.0 log.
///
/// ```
/// let log = flakeproof_scan::output::sarif(&Default::default());
/// assert_eq!(log["version"], "2.1.0");
/// assert_eq!(log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(), 5);
/// ```
pub fn sarif(s: &Summary) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": { "text": r.title() },
                "helpUri": format!("https://docs.rs/flakeproof/latest/flakeproof/#{}", r.id()),
                "defaultConfiguration": { "level": r.severity().as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = s
        .findings
        .iter()
        .map(|f| {
            let index = Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            let mut text = format!("{} Fix: {}", f.risk, f.fix);
            if let Some(n) = &f.note {
                text.push_str(&format!(" Note: {n}"));
            }
            json!({
                "ruleId": f.rule.id(),
                "ruleIndex": index,
                "level": f.severity.as_str(),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.file) },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "snippet": { "text": f.snippet },
                        },
                    },
                }],
            })
        })
        .collect();
    let notes: Vec<Value> = s
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": match e.unreadable {
                    true => format!("could not be read: {}", e.message),
                    false => format!("not scanned: {}", e.message),
                } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&e.file) },
                        "region": { "startLine": e.line.max(1), "startColumn": e.column.max(1) },
                    },
                }],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "flakeproof scan",
                    "informationUri": "https://docs.rs/flakeproof",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            // Columns count characters (proc-macro2's spans), not the
            // UTF-16 code units SARIF assumes unless told.
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": s.errors.is_empty(),
                "toolExecutionNotifications": notes,
            }],
            "results": results,
        }],
    })
}

/// A relative path as a URI reference: forward slashes, `./` dropped,
/// spaces and `%` escaped.
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
    p.replace('%', "%25").replace(' ', "%20")
}
