//! unretried-windows-fs: on Windows a rename or removal fails for a while
//! after someone else closed the file: antivirus and indexers open new files
//! at once, a handle without FILE_SHARE_DELETE blocks both, and a delete
//! stays pending until the last handle closes (RACES.md §2).

use crate::finding::{Finding, Rule};
use crate::keys::Key;
use crate::model::{Body, Call, Os};

use super::roles::produced;
use super::shared::{Ctx, arg_for, same_path};

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

/// A file whose path says it is one OS's code (`src/windows.rs`,
/// `src/bundle/windows/msi/mod.rs`, `sys_windows.rs`, `windows_util.rs`,
/// `unix.rs`): its module is declared under a cfg in another file, which
/// this one can't see. Only Windows is also matched as a prefix (`unix_time.rs`
/// is about Unix time, not Unix code).
fn path_names(path: &str, os: &str) -> bool {
    let path = path.replace('\\', "/");
    path.split('/').any(|part| {
        let stem = part.strip_suffix(".rs").unwrap_or(part);
        stem == os
            || stem.ends_with(&format!("_{os}"))
            || (os == "windows" && stem.starts_with("windows_"))
    })
}

/// `k` is a produced file's path (see [`produced`]), here or, for a
/// parameter, at one of the file's calls of this function
/// (`fn fs_rename(source, dest)` called as `fs_rename(new_exe, dest)`), or
/// any path an install, uninstall or update function moves or removes.
fn on_produced(ctx: &Ctx, body: &Body, k: &Key) -> bool {
    if produced(body, k) {
        return true;
    }
    // Installer code: what an install, uninstall or update function moves
    // or removes is a tool's files, which the tool or a scanner may hold.
    if body
        .name
        .split('_')
        .any(|p| matches!(p, "install" | "uninstall" | "update" | "upgrade"))
    {
        return true;
    }
    let (Some(id), Some(summary)) = (&k.ident, ctx.helpers.get(body.name.as_str())) else {
        return false;
    };
    let Some(i) = body.params.iter().position(|p| p == id) else {
        return false;
    };
    ctx.model.bodies.iter().any(|caller| {
        caller.calls.iter().any(|c| {
            c.name == body.name
                && ctx.helper(c).is_some()
                && arg_for(c, summary, i).is_some_and(|a| produced(caller, a))
        })
    })
}

/// Two renames of one function sharing a path, one of them to or from a
/// place named for keeping a file aside (`*tmp*`, `*backup*`, `*stash*`):
/// a file moved aside and another moved into its place (`rename(dest,
/// temp)`, `rename(source, dest)`), the way a program or a tool that may
/// be running is replaced. (Not `old`/`prev`: a log rotation's chain of
/// renames names its files so as often.)
fn swapped(body: &Body, c: &Call) -> bool {
    const ASIDE: [&str; 9] = [
        "temp",
        "tmp",
        "backup",
        "bak",
        "aside",
        "stash",
        "stashed",
        "relocated",
        "sidelined",
    ];
    let aside = |k: &Key| {
        k.ident
            .iter()
            .chain(&k.words)
            .any(|w| w.split('_').any(|p| ASIDE.contains(&p)))
    };
    c.name == "rename"
        && body.calls.iter().any(|r| {
            r.at != c.at
                && op(r) == Some("rename")
                && r.args
                    .iter()
                    .any(|a| c.args.iter().any(|b| same_path(body, a, b)))
                && r.args.iter().chain(&c.args).any(aside)
        })
}

pub(super) fn check(ctx: &Ctx, body: &Body, out: &mut Vec<Finding>) {
    for c in &body.calls {
        let Some(op) = op(c) else { continue };
        // Code only Windows builds: every unretried call counts. Code every
        // OS builds, in a crate built for Windows too: only a call on a
        // file another process may hold (RACES.md §2), not a lock file of
        // its own or a folder of sources.
        let (windows, on_produced_only) = match c.os {
            Os::Windows => (true, false),
            Os::NotWindows => (false, false),
            Os::Any if path_names(ctx.path, "windows") => (true, false),
            Os::Any
                if ["unix", "linux", "macos", "ios"]
                    .iter()
                    .any(|os| path_names(ctx.path, os)) =>
            {
                (false, false)
            }
            Os::Any => (ctx.windows_everywhere || ctx.model.windows_aware, true),
        };
        // A test's own cleanup fails the test, not a user: not counted.
        if !windows || body.is_test || c.dropped || retried(body, c) {
            continue;
        }
        if on_produced_only
            && !swapped(body, c)
            && !c.args.iter().any(|a| on_produced(ctx, body, a))
        {
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
            // Why code with no Windows cfg counts: say it, so a reader
            // can tell a crate fact from a cfg.
            on_produced_only.then(|| {
                if ctx.model.windows_aware {
                    "this file names Windows, and this code builds on every OS"
                } else {
                    "the crate is built for Windows (its Cargo.toml, a cfg in another of its files, \
                     or --windows), and this code builds on every OS"
                }
                .to_string()
            }),
        ));
    }
}
