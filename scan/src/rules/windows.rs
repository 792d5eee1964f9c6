//! unretried-windows-fs: on Windows a rename or removal fails for a while
//! after someone else closed the file: antivirus and indexers open new files
//! at once, a handle without FILE_SHARE_DELETE blocks both, and a delete
//! stays pending until the last handle closes (RACES.md §2).

use crate::finding::{Finding, Rule};
use crate::model::{Body, Call, Os};

use super::shared::Ctx;

fn op(c: &Call) -> Option<&'static str> {
    if c.method || !matches!(c.qual.as_str(), "fs" | "fs_err" | "") {
        return None;
    }
    match c.name.as_str() {
        "rename" if c.args.len() == 2 => Some("rename"),
        "remove_file" if c.args.len() == 1 => Some("remove_file"),
        "remove_dir_all" if c.args.len() == 1 => Some("remove_dir_all"),
        _ => None,
    }
}

/// Inside a loop that sleeps, a closure given to a retry function, or a
/// function named for retrying.
fn retried(body: &Body, c: &Call) -> bool {
    if c.in_retry_closure || body.name.to_ascii_lowercase().contains("retry") {
        return true;
    }
    body.loops
        .iter()
        .filter(|l| l.body.contains(c.at))
        .any(|l| {
            body.calls.iter().any(|s| {
                l.body.contains(s.at)
                    && matches!(s.name.as_str(), "sleep" | "yield_now" | "park_timeout")
            })
        })
}

/// A file whose path says it is Windows code (`src/windows.rs`,
/// `src/bundle/windows/msi/mod.rs`, `sys_windows.rs`): its module is
/// declared under a `cfg(windows)` in another file, which this one can't see.
fn windows_path(file: &str) -> bool {
    let file = file.replace('\\', "/");
    file.split('/').any(|part| {
        let stem = part.strip_suffix(".rs").unwrap_or(part);
        stem == "windows" || stem.ends_with("_windows") || stem.starts_with("windows_")
    })
}

pub(super) fn check(ctx: &Ctx, body: &Body, out: &mut Vec<Finding>) {
    for c in &body.calls {
        let Some(op) = op(c) else { continue };
        let windows = match c.os {
            Os::Windows => true,
            Os::NotWindows => false,
            Os::Any => ctx.windows_everywhere || ctx.model.windows_aware || windows_path(ctx.file),
        };
        if !windows || c.dropped || retried(body, c) {
            continue;
        }
        out.push(ctx.finding(
            Rule::UnretriedWindowsFs,
            c.at,
            format!(
                "`{op}` on Windows fails with access denied or a sharing violation while an antivirus \
                 scanner, an indexer or a just-exited process still holds the file"
            ),
            format!(
                "`flakeproof::robust::{op}` retries only Windows' transient errors (5, 32, 33, delete \
                 pending{}) within a budget: `Budget::ProcessExit` (the default: 10 ms doubling to 200 ms, \
                 2 s) or `Budget::Antivirus` (to 1 s, 60 s) through `Robust::new().budget(..)`; see \
                 src/robust/budgets.md",
                if op == "remove_dir_all" { ", 145" } else { "" }
            ),
            None,
        ));
    }
}
