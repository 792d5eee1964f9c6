//! write-then-exec and in-place-replace: a file opened for writing and then
//! exec'd, by this thread or any other. ETXTBSY comes from any writable
//! descriptor of the file, including a copy a sibling thread's fork child
//! inherited (RACES.md §1): closing your own is not enough, and neither is
//! fsync (it holds the descriptor longer) nor writing a temp name and
//! renaming (the same inode).

use crate::finding::{Finding, Rule};
use crate::keys::{Key, Pos};
use crate::model::{Body, Call, Os};

use super::roles::{build_output, exe_name, reach};
use super::shared::{
    Ctx, arg_for, chain_exec_mode, chmods, created_path, exec_path, name_of, same_path,
};

/// Where the path is run after `after`: a `Command::new` of it (or of its
/// file name, found on `PATH`), or a helper of the file that runs it.
fn exec_after(ctx: &Ctx, body: &Body, p: &Key, after: Pos, by_name: bool) -> Option<Pos> {
    let name = name_of(body, p);
    body.calls.iter().filter(|c| c.at > after).find_map(|c| {
        if let Some(e) = exec_path(c) {
            let named = by_name
                && e.strs.len() == 1
                && e.name.is_some()
                && e.name == name
                && e.text.starts_with('"');
            if same_path(body, e, p) || named {
                return Some(c.at);
            }
        }
        let s = ctx.helper(c)?;
        s.execs
            .iter()
            .any(|&i| arg_for(c, s, i).is_some_and(|a| same_path(body, a, p)))
            .then_some(c.at)
    })
}

/// What happens between the write and the exec that people believe fixes it.
fn wrong_fix(body: &Body, write: Pos, exec: Pos) -> Option<String> {
    let between = |c: &&Call| c.at > write && c.at < exec;
    if body
        .calls
        .iter()
        .filter(between)
        .any(|c| matches!(c.name.as_str(), "sync_all" | "sync_data" | "fsync"))
    {
        return Some(
            "the fsync in between is a known wrong fix: it holds the writable descriptor longer, and \
             measured failures went from 2.0 % to 12.4 % (docs/races.md)"
                .into(),
        );
    }
    if body
        .calls
        .iter()
        .filter(between)
        .any(|c| c.name == "rename" && c.args.len() == 2)
    {
        return Some(
            "the rename in between is a known wrong fix: the renamed file is the same inode, and the \
             writable descriptor a forked child inherited still refuses the exec"
                .into(),
        );
    }
    None
}

pub(super) fn check(ctx: &Ctx, body: &Body, out: &mut Vec<Finding>) {
    let mut flagged: Vec<Pos> = Vec::new();
    for c in &body.calls {
        let Some(p) = created_path(c) else { continue };
        let exec_bits = chain_exec_mode(c) || chmods(ctx, body, p, c.bound_to.as_deref());
        let Some(exec) = exec_after(ctx, body, p, c.at, true) else {
            continue;
        };
        if exec_bits {
            flagged.push(c.at);
            out.push(ctx.finding(
                Rule::WriteThenExec,
                c.start,
                "this executable is run right after it is written: if any thread forked while it was \
                 open for writing, the exec fails with ETXTBSY (\"Text file busy\")"
                    .into(),
                "write it with `flakeproof::install_executable_stub(dir, name, contents)` (exec-safe on \
                 return), or fake the command with `flakeproof::fake::FakeDir`"
                    .into(),
                wrong_fix(body, c.at, exec),
            ));
        }
    }
    // The file's helpers that write a parameter with execute bits, called
    // here with a path that is then run: the write in the helper is the site.
    for c in &body.calls {
        let Some(s) = ctx.helper(c) else { continue };
        for &(i, write_at) in &s.installs {
            let Some(p) = arg_for(c, s, i) else { continue };
            if exec_after(ctx, body, p, c.at, true).is_some() && !flagged.contains(&write_at) {
                flagged.push(write_at);
                out.push(ctx.finding(
                    Rule::WriteThenExec,
                    write_at,
                    format!(
                        "`{}` writes an executable that line {} then runs: a thread forking meanwhile \
                         makes the exec fail with ETXTBSY",
                        c.name, c.at.line
                    ),
                    "make the helper call `flakeproof::install_executable_stub(dir, name, contents)`, \
                     or fake the command with `flakeproof::fake::FakeDir`"
                        .into(),
                    None,
                ));
            }
        }
    }
    in_place(ctx, body, &flagged, out);
}

/// Is the file at `dst` new when `at` writes it: a script being made (a
/// `#!` literal or constant is the content: a stub, see shell-script-stub),
/// the old file removed or renamed away just before, or a path in a temp
/// dir this function made.
fn fresh(ctx: &Ctx, body: &Body, i: usize, dst: &Key) -> bool {
    let c = &body.calls[i];
    let script = body.shebangs.iter().any(|s| s.calls.contains(&i))
        || c.args.iter().skip(1).any(|a| {
            reach(body, a)
                .iter()
                .any(|w| ctx.model.script_consts.contains(w))
        });
    // The file, or a folder it is made in (`staging_dir` removed, made
    // again, then `staging_dir.join(name)` written), removed or moved away.
    let made_from = reach(body, dst);
    let cleared = body.calls.iter().any(|e| {
        e.at < c.at
            && matches!(e.name.as_str(), "remove_file" | "remove_dir_all" | "rename")
            && e.args.first().is_some_and(|a| {
                same_path(body, a, dst)
                    || (e.name == "remove_dir_all"
                        && a.ident.as_ref().is_some_and(|d| made_from.contains(&d)))
            })
    });
    // A temp dir this function made, a name made unique (`Uuid::new_v4()`),
    // or a temp name (`tmp_exe`): not where a program is run from.
    let new_name = made_from.iter().any(|w| {
        matches!(
            w.as_str(),
            "tempdir"
                | "TempDir"
                | "tempdir_in"
                | "tempfile"
                | "tempfile_in"
                | "NamedTempFile"
                | "new_v4"
                | "new_v7"
                | "Uuid"
        )
    }) || dst
        .ident
        .iter()
        .any(|w| w.split('_').any(|p| p == "tmp" || p == "temp"));
    script || cleared || new_name
}

fn in_place(ctx: &Ctx, body: &Body, flagged: &[Pos], out: &mut Vec<Finding>) {
    for (i, c) in body.calls.iter().enumerate() {
        if flagged.contains(&c.at) {
            continue;
        }
        let (dst, copy) = match (c.method, c.qual.as_str(), c.name.as_str()) {
            (false, "fs" | "fs_err", "copy") if c.args.len() == 2 => (&c.args[1], true),
            (false, "fs" | "fs_err", "write") if c.args.len() == 2 => (&c.args[0], false),
            // OpenOptions::new().append(true).open(exe): rewritten in place too.
            (true, _, "open") => match created_path(c) {
                Some(p)
                    if c.chain
                        .iter()
                        .any(|(m, _)| matches!(m.as_str(), "write" | "append")) =>
                {
                    (p, false)
                }
                _ => continue,
            },
            _ => continue,
        };
        let run = exec_after(ctx, body, dst, c.at, false).is_some();
        // A file run right after it is written races a fork as any write
        // does, new or not; one only named like a program is replaced in
        // place only if it was there before.
        let new_file = fresh(ctx, body, i, dst);
        let why = if run && !(new_file && c.os == Os::Windows) {
            // (Windows code writing a new file and running it: no fork
            // hands its descriptor on, so no ETXTBSY to meet.)
            "the program run from this path is rewritten in place"
        } else if run || new_file || body.is_test {
            // (A test's helper placing a file for the tool under test: what
            // runs it, and when, is out of sight; counted only when run here.)
            continue;
        } else if exe_name(body, dst) {
            "an executable is rewritten in place"
        } else if copy && build_output(body, dst) {
            "a build output is rewritten in place"
        } else {
            continue;
        };
        let what = match (copy, c.method) {
            (true, _) => "`fs::copy` opens the destination",
            (false, false) => "`fs::write` opens it",
            (false, true) => "this open takes it",
        };
        out.push(ctx.finding(
            Rule::InPlaceReplace,
            c.start,
            format!(
                "{why}: {what} for writing, so a run starting meanwhile fails with ETXTBSY on Linux, \
                 EPERM on macOS, and Windows refuses to write a running .exe"
            ),
            "put the new file beside it and rename it over: `flakeproof::replace_executable(src, dst)` \
             (waits out writers, moves a running .exe aside on Windows)"
                .into(),
            None,
        ));
    }
}
