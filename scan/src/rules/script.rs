//! shell-script-stub: a test that writes `#!/bin/sh ...` to a file is
//! hand-making a fake command. Besides the ETXTBSY race when it runs the
//! script, it quotes arguments by hand, can't tell overlapping calls apart
//! and needs a shell; `FakeDir` records every call and answers by rule.

use crate::finding::{Finding, Rule};
use crate::model::{Body, Call, Shebang};

use super::shared::{Ctx, arg_for, name_of, same_path};

/// Calls that write a file's content (`fs::write(p, s)`, `f.write_all(s)`,
/// `write!(f, s)`), with the content argument's index.
fn content_arg(c: &Call) -> Option<usize> {
    match (c.method, c.qual.as_str(), c.name.as_str()) {
        (false, "fs" | "fs_err" | "", "write") if c.args.len() == 2 => Some(1),
        (true, _, "write_all" | "write") => Some(0),
        (false, _, "write!" | "writeln!") => Some(1),
        _ => None,
    }
}

/// A write into something that is not a file: an archive being built
/// (`zip.write_all(..)` on a `ZipWriter`), a buffer, a child's stdin.
fn not_a_file(body: &Body, c: &Call) -> bool {
    let Some(recv) = c.recv.as_ref().filter(|_| c.method) else {
        return false;
    };
    const NOT_FILES: [&str; 7] = [
        "ZipWriter",
        "Cursor",
        "Vec",
        "GzEncoder",
        "stdin",
        "stdout",
        "stderr",
    ];
    std::iter::once(recv)
        .chain(
            body.lets
                .iter()
                .filter(|(n, _)| recv.ident.as_ref() == Some(n))
                .map(|(_, init)| init),
        )
        .any(|k| {
            let has = |w: &str| k.words.iter().chain(&k.ident).any(|x| x == w);
            // `tar::Builder`, not `tempfile::Builder` (a file).
            NOT_FILES.iter().any(|w| has(w)) || (has("tar") && has("Builder"))
        })
}

/// flakeproof's own exec-safe writers: a script given to them is fine.
fn is_flakeproof_writer(c: &Call) -> bool {
    matches!(
        c.name.as_str(),
        "install_executable_stub" | "replace_executable"
    ) || (c.method && c.name == "install" && c.root.contains("StubInstaller"))
}

/// Where the script is written: the write call it is given to (directly,
/// or through a `let`), or a helper of the file that writes its argument.
fn write_site(ctx: &Ctx, body: &Body, s: &Shebang) -> Option<(usize, bool)> {
    // Given straight to a call (innermost first).
    for &i in s.calls.iter().rev() {
        let c = &body.calls[i];
        if is_flakeproof_writer(c) {
            return None;
        }
        if content_arg(c).is_some() {
            if not_a_file(body, c) {
                return None;
            }
            return Some((i, true));
        }
        // The file's own helper: it writes the script itself, or hands it
        // to something safe (install_executable_stub). A function of
        // another file or crate is not guessed at by its name: it may be
        // an exec-safe writer.
        if let Some(h) = ctx.helper(c) {
            if h.writes_content.is_empty() {
                return None;
            }
            return Some((i, false));
        }
    }
    // Bound to a variable, written later.
    let var = s.bound_to.as_ref()?;
    body.calls.iter().enumerate().find_map(|(i, c)| {
        if c.at < s.at || is_flakeproof_writer(c) {
            return None;
        }
        let is_var = |k: &crate::keys::Key| {
            k.ident.as_deref() == Some(var) || k.text.starts_with(&format!("{var}."))
        };
        if let Some(a) = content_arg(c)
            && c.args.get(a).is_some_and(is_var)
            && !not_a_file(body, c)
        {
            return Some((i, true));
        }
        let h = ctx.helper(c)?;
        h.writes_content
            .iter()
            .any(|&p| arg_for(c, h, p).is_some_and(is_var))
            .then_some((i, false))
    })
}

/// Is the script's interpreter a shell (`#!/bin/sh`, `#!/usr/bin/env
/// bash`)? A Python or Node script written by a test is an executable
/// written then run, but no shell stub: FakeDir's rules don't replace it.
fn shell(script: &str) -> bool {
    let line = script.trim_start().lines().next().unwrap_or("");
    let mut words = line.trim_start_matches("#!").split_whitespace();
    let base = |w: &str| w.rsplit('/').next().unwrap_or("").to_string();
    let mut program = words.next().map(base).unwrap_or_default();
    if program == "env" {
        program = words
            .find(|w| !w.starts_with('-'))
            .map(base)
            .unwrap_or_default();
    }
    matches!(
        program.as_str(),
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh" | "fish"
    )
}

/// `echo` lines and an `exit`: a script simple enough to turn into a rule.
fn derive_rule(script: &str) -> Option<(String, u32)> {
    let mut out = String::new();
    let mut code = 0;
    for line in script.lines().skip(1).map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line == "set -e" {
            continue;
        }
        if let Some(rest) = line.strip_prefix("echo ") {
            if rest.contains('$') || rest.contains('`') || rest.contains('>') || rest.contains('|')
            {
                return None;
            }
            out.push_str(rest.trim_matches(|c| c == '"' || c == '\''));
            out.push('\n');
        } else if let Some(n) = line.strip_prefix("exit ") {
            code = n.trim().parse().ok()?;
        } else {
            return None;
        }
    }
    Some((out, code))
}

/// Test code: a test, or a helper for tests: named for a fake
/// (`fake_gh`, `write_stub`, `mock_editor`) or called by a test of this file.
fn test_code(ctx: &Ctx, body: &Body) -> bool {
    let lower = body.name.to_ascii_lowercase();
    body.is_test
        || ["fake", "stub", "mock"].iter().any(|w| lower.contains(w))
        || ctx
            .model
            .bodies
            .iter()
            .any(|b| b.is_test && b.calls.iter().any(|c| !c.method && c.name == body.name))
}

/// Writes whose content names a constant holding a script
/// (`fs::write(&p, SCRIPT)`, or a `let` made from one).
fn const_script_writes(ctx: &Ctx, body: &Body) -> Vec<usize> {
    let consts = &ctx.model.script_consts;
    let names = |k: &crate::keys::Key| k.words.iter().any(|w| consts.contains(w));
    body.calls
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            content_arg(c).and_then(|a| c.args.get(a)).is_some_and(|k| {
                names(k)
                    || k.ident
                        .as_ref()
                        .is_some_and(|v| body.lets.iter().any(|(n, init)| n == v && names(init)))
            })
        })
        .map(|(i, _)| i)
        .collect()
}

pub(super) fn check(ctx: &Ctx, body: &Body, out: &mut Vec<Finding>) {
    if !test_code(ctx, body) {
        return;
    }
    // (the write, whether it writes the script itself, the script's text
    // where the body has it: a constant's is not derived a rule from).
    let consts = const_script_writes(ctx, body)
        .into_iter()
        .map(|i| (i, true, None));
    let literals = body
        .shebangs
        .iter()
        .filter(|s| shell(&s.text))
        .filter_map(|s| {
            write_site(ctx, body, s).map(|(i, direct)| (i, direct, Some(s.text.as_str())))
        });
    for (i, direct, script) in literals.chain(consts).collect::<Vec<_>>() {
        let c = &body.calls[i];
        // A build the test then installs (`replace_executable(&new, &dst)`):
        // a program's new version, not a fake command.
        let installed = direct
            && body.calls.iter().any(|e| {
                e.at > c.at
                    && matches!(
                        e.name.as_str(),
                        "replace_executable" | "replace_executable_async" | "replace" | "copy"
                    )
                    && e.args
                        .first()
                        .zip(c.args.first())
                        .is_some_and(|(a, p)| same_path(body, a, p))
            });
        if installed {
            continue;
        }
        let name = c
            .args
            .first()
            .filter(|_| direct || c.args.len() > 1)
            .and_then(|p| name_of(body, p))
            .filter(|n| !n.contains('.'))
            .unwrap_or_else(|| "NAME".to_string());
        // Code that compiles against flakeproof's API: a derived answer for
        // every call, or the shape of a rule to write.
        let setup = match script.and_then(derive_rule) {
            Some((stdout, 0)) => {
                format!("fakes.fake({name:?}).otherwise(Reply::stdout({stdout:?})).install()?;")
            }
            Some((stdout, code)) => format!(
                "fakes.fake({name:?}).otherwise(Reply::exit({code}).with_stdout({stdout:?})).install()?;"
            ),
            None => format!(
                "let fake = fakes.fake({name:?}).install()?; fake.when(ArgMatch::exact([..])).reply(Reply::stdout(..))?;"
            ),
        };
        let ran = body.calls.iter().any(|e| {
            e.at > c.at
                && super::shared::exec_path(e)
                    .is_some_and(|k| c.args.first().is_some_and(|p| same_path(body, k, p)))
        });
        out.push(ctx.finding(
            Rule::ShellScriptStub,
            c.at,
            "a fake command written as a shell script: run while another test thread forks it fails \
             with ETXTBSY, and it quotes arguments by hand, can't tell overlapping calls apart and \
             needs /bin/sh"
                .into(),
            format!(
                "use `flakeproof::fake::FakeDir`: `let fakes = FakeDir::new()?; {setup}` \
                 then run through `fakes.command({name:?})` or put `fakes.path_env()` on PATH"
            ),
            ran.then(|| "the test also runs the script it wrote: see write-then-exec".to_string()),
        ));
    }
}
