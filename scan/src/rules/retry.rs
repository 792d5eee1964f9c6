//! hand-rolled-etxtbsy-retry: an ETXTBSY check written by hand. Each copy
//! picks its own budget, and some never fire: rustup's tests retry only when
//! `kind() == Other && raw_os_error() == Some(26)`, never true since Rust
//! 1.83 maps errno 26 to `ErrorKind::ExecutableFileBusy` (RACES.md §1).

use crate::finding::{Finding, Rule};
use crate::model::{Body, Call, EtxToken};

use super::shared::{Ctx, exec_path};

/// `spawn`, `output`, `status`: the retrying spawn that replaces each.
pub(crate) fn spawn_method(name: &str) -> Option<&'static str> {
    match name {
        "spawn" => Some("spawn_retrying"),
        "output" => Some("output_retrying"),
        "status" => Some("status_retrying"),
        _ => None,
    }
}

const SHELLS: [&str; 8] = [
    "sh",
    "bash",
    "/bin/sh",
    "/bin/bash",
    "env",
    "/usr/bin/env",
    "python3",
    "python",
];

fn is_spawn(c: &Call) -> bool {
    c.method && c.args.is_empty() && spawn_method(&c.name).is_some()
}

/// Does something retry on this check: it sits in a loop, or in a closure
/// given to a retry, or in a function this file calls from a loop or such
/// a closure (a predicate like `is_text_file_busy`). A check that only maps
/// ETXTBSY to a message or an exit status retries nothing.
fn retried(ctx: &Ctx, body: &Body, t: &EtxToken) -> bool {
    let in_loop = |b: &Body, at| b.loops.iter().any(|l| l.whole.contains(at));
    // A bound token: its name compared in a loop (`== Some(busy)`), not
    // merely handed to something (`retry.pause_after(&busy)`).
    let used_in_loop = t.bound_to.as_ref().is_some_and(|n| {
        body.calls.iter().any(|c| {
            in_loop(body, c.at)
                && !c.method
                && c.name == "Some"
                && c.args.iter().any(|a| a.ident.as_ref() == Some(n))
        })
    });
    if t.bound_to.is_some() {
        return used_in_loop;
    }
    t.in_retry_closure
        || in_loop(body, t.at)
        || ctx.model.bodies.iter().any(|b| {
            b.calls
                .iter()
                .any(|c| c.name == body.name && (c.in_retry_closure || in_loop(b, c.at)))
        })
}

pub(super) fn check(ctx: &Ctx, body: &Body, out: &mut Vec<Finding>) {
    for t in body.etx.iter().filter(|t| retried(ctx, body, t)) {
        // The retried code: the innermost loop holding the check, else the function.
        let scope = body
            .loops
            .iter()
            .filter(|l| l.whole.contains(t.at))
            .min_by_key(|l| l.whole.end - l.whole.start)
            .map(|l| l.whole);
        let inside = |c: &&Call| scope.is_none_or(|s| s.contains(c.at));
        let spawns: Vec<&Call> = body
            .calls
            .iter()
            .filter(inside)
            .filter(|c| is_spawn(c))
            .collect();
        let programs: Vec<&Call> = body
            .calls
            .iter()
            .filter(inside)
            .filter(|c| exec_path(c).is_some())
            .collect();
        let mut notes = Vec::new();
        if t.with_other_kind {
            notes.push(
                "this retry never fires: it also asks for `ErrorKind::Other`, but since Rust 1.83 errno \
                 26 is `ErrorKind::ExecutableFileBusy`"
                    .to_string(),
            );
        }
        if spawns.is_empty() && programs.is_empty() {
            notes.push(
                "no spawn is retried here: ETXTBSY on a write or copy means the file is running; replace \
                 it with `flakeproof::replace_executable` instead"
                    .to_string(),
            );
        } else if programs.iter().any(|c| {
            exec_path(c).is_some_and(|k| {
                k.strs.len() == 1 && k.text.starts_with('"') && SHELLS.contains(&k.strs[0].as_str())
            })
        }) {
            notes.push(
                "the retried spawn runs an interpreter, not the file just written: the interpreter's exec \
                 can't be refused with ETXTBSY, so the race is elsewhere (the write that made the file)"
                    .to_string(),
            );
        }
        let fix = match spawns.first() {
            Some(s) => format!(
                "replace the loop with `{}()` from `flakeproof::SpawnRetryExt` (one shared classifier; \
                 on Linux each wait ends when the writer closes the file, 5 s budget); `flakeproof scan --fix` \
                 does it where the loop is a plain match on the spawn",
                spawn_method(&s.name).unwrap_or("spawn_retrying")
            ),
            None => "use `flakeproof::SpawnRetryExt` (`spawn_retrying`, `output_retrying`, `status_retrying`) \
                     for spawns, or `flakeproof::retry_etxtbsy(attempts, || ..)` for any other call"
                .to_string(),
        };
        out.push(ctx.finding(
            Rule::HandRolledEtxtbsyRetry,
            t.at,
            format!(
                "a hand-written ETXTBSY check ({}): its budget and classification are this file's own, and \
                 the race it hides comes back whenever the retries run out first",
                t.what
            ),
            fix,
            (!notes.is_empty()).then(|| notes.join("; ")),
        ));
    }
}
