//! `--json`: one object, `{"version":1,"findings":[..],"errors":[..],...}`.

use serde_json::json as j;

use super::summary::Summary;

/// The run as one JSON value.
///
/// ```
/// let v = flakeproof_scan::output::json(&Default::default());
/// assert_eq!((v["version"].as_u64(), v["files"].as_u64()), (Some(1), Some(0)));
/// ```
pub fn json(s: &Summary) -> serde_json::Value {
    j!({
        "version": 1,
        "findings": s.findings,
        "errors": s.errors,
        "files": s.files,
        "lines": s.lines,
        "silenced": s.silenced,
    })
}
