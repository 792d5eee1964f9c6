//! What the rules share: the context they read ([`Ctx`]: the file, its
//! model, its own helper functions summarized), and what says that two
//! keys are one path, that a call writes or runs a file, that a body gives
//! a path execute bits.

use std::collections::HashMap;

use crate::finding::{Finding, Rule};
use crate::keys::{Key, Pos, exec_mode_key, is_exec_mode};
use crate::model::{Body, Call, Model};

/// What every rule reads.
pub(crate) struct Ctx<'a> {
    /// How findings name the file.
    pub file: &'a str,
    /// Its path inside its crate where known (else `file`): what the path
    /// rules read (`src/windows.rs`).
    pub path: &'a str,
    pub lines: Vec<&'a str>,
    pub model: &'a Model,
    pub windows_everywhere: bool,
    /// The file's own functions by name: what each does with its parameters.
    pub helpers: HashMap<&'a str, Summary>,
}

/// What a function of the file does with its parameters (by index, `self`
/// counted), so that `make_stub(&p); Command::new(&p)` is seen through.
#[derive(Default, Debug)]
pub(crate) struct Summary {
    pub chmods: Vec<usize>,
    pub execs: Vec<usize>,
    /// A parameter written with execute bits: (index, the write's call).
    pub installs: Vec<(usize, Pos)>,
    /// A parameter that is the content of a write.
    pub writes_content: Vec<usize>,
    pub has_self: bool,
}

impl Ctx<'_> {
    pub(crate) fn finding(
        &self,
        rule: Rule,
        at: Pos,
        risk: String,
        fix: String,
        note: Option<String>,
    ) -> Finding {
        let snippet = self
            .lines
            .get(at.line.saturating_sub(1))
            .map(|l| l.trim_end().to_string())
            .unwrap_or_default();
        Finding {
            rule,
            severity: rule.severity(),
            file: self.file.to_string(),
            line: at.line,
            column: at.column,
            snippet,
            risk,
            fix,
            note,
        }
    }

    /// The helper a call goes to, and the call's argument index for each
    /// parameter index.
    pub(crate) fn helper(&self, c: &Call) -> Option<&Summary> {
        if !c.qual.is_empty() && c.qual != "Self" && c.qual != "self" {
            return None;
        }
        self.helpers.get(c.name.as_str())
    }
}

/// The argument a helper's parameter `i` receives at call `c`.
pub(crate) fn arg_for<'c>(c: &'c Call, s: &Summary, i: usize) -> Option<&'c Key> {
    let i = if s.has_self {
        if c.method { i.checked_sub(1)? } else { i }
    } else {
        i
    };
    c.args.get(i)
}

/// Every text a key may stand for in a body: itself, and what the `let`s
/// and renames before it bound it to.
pub(crate) fn aliases(body: &Body, k: &Key) -> Vec<String> {
    let mut out = vec![k.text.clone()];
    let mut i = 0;
    while i < out.len() && out.len() < 8 {
        let cur = out[i].clone();
        for (name, init) in &body.lets {
            if *name == cur && !out.contains(&init.text) {
                out.push(init.text.clone());
            }
        }
        for c in &body.calls {
            // fs::rename(tmp, dst): tmp's file is dst's from then on.
            if c.name == "rename" && c.args.len() == 2 {
                let (a, b) = (&c.args[0].text, &c.args[1].text);
                if *a == cur && !out.contains(b) {
                    out.push(b.clone());
                }
            }
        }
        i += 1;
    }
    out
}

pub(crate) fn same_path(body: &Body, a: &Key, b: &Key) -> bool {
    let xa = aliases(body, a);
    let xb = aliases(body, b);
    xa.iter().any(|x| xb.contains(x))
}

/// What a literal file name stands for through `let`s: `let p = d.join("git")`.
pub(crate) fn name_of(body: &Body, k: &Key) -> Option<String> {
    if k.name.is_some() {
        return k.name.clone();
    }
    let id = k.ident.as_ref()?;
    body.lets
        .iter()
        .rev()
        .find(|(n, _)| n == id)
        .and_then(|(_, init)| init.name.clone())
}

/// `fs::write(p, ..)`, `File::create(p)`, `OpenOptions::new()..open(p)`:
/// the path of a call that creates or truncates a file for writing.
pub(crate) fn created_path(c: &Call) -> Option<&Key> {
    let fs_like = matches!(c.qual.as_str(), "fs" | "fs_err" | "");
    match (c.method, c.name.as_str()) {
        (false, "write") if fs_like && c.args.len() == 2 => c.args.first(),
        (false, "create" | "create_new") if c.qual == "File" => c.args.first(),
        (true, "open") => {
            let builder = c.root.ends_with("OpenOptions::new") || c.root.ends_with("File::options");
            let writes = c.chain.iter().any(|(m, _)| {
                matches!(
                    m.as_str(),
                    "write" | "append" | "create" | "create_new" | "truncate" | "mode"
                )
            });
            (builder && writes).then(|| c.args.first()).flatten()
        }
        _ => None,
    }
}

/// The program a call runs: `Command::new(p)`, `duct::cmd(p, ..)`.
pub(crate) fn exec_path(c: &Call) -> Option<&Key> {
    match (c.method, c.qual.as_str(), c.name.as_str()) {
        (false, "Command", "new") | (false, "duct", "cmd") | (false, "Exec", "cmd") => {
            c.args.first()
        }
        _ => None,
    }
}

/// A mode with execute bits in a call chain's `.mode(..)`.
pub(crate) fn chain_exec_mode(c: &Call) -> bool {
    c.chain
        .iter()
        .any(|(m, args)| m == "mode" && args.iter().any(exec_mode_key))
}

/// Does the body give `p` execute bits (anywhere: set_permissions, chmod,
/// a helper that does)?
pub(crate) fn chmods(ctx: &Ctx, body: &Body, p: &Key, bound: Option<&str>) -> bool {
    let exec_literal = body.calls.iter().any(|c| {
        matches!(c.name.as_str(), "from_mode" | "set_mode" | "mode")
            && c.args.iter().any(exec_mode_key)
    });
    body.calls.iter().any(|c| {
        let name = c.name.as_str();
        if name == "set_permissions" {
            let target = if c.method {
                c.recv.as_ref()
            } else {
                c.args.first()
            };
            let on_p = target.is_some_and(|t| {
                same_path(body, t, p) || bound.is_some_and(|b| t.ident.as_deref() == Some(b))
            });
            let ints: Vec<u64> = c.args.iter().flat_map(|a| a.ints.iter().copied()).collect();
            // Permissions built elsewhere in the body count when it sets
            // execute bits somewhere (`perms.set_mode(0o755)`).
            return on_p
                && (ints.iter().any(|&v| is_exec_mode(v)) || (ints.is_empty() && exec_literal));
        }
        // Command::new("chmod").arg("+x").arg(&p)
        if c.method
            && c.root.ends_with("Command::new")
            && c.root_args
                .first()
                .is_some_and(|a| a.strs.first().is_some_and(|s| s == "chmod"))
        {
            return c
                .chain
                .iter()
                .chain(std::iter::once(&(c.name.clone(), c.args.clone())))
                .any(|(_, args)| args.iter().any(|a| same_path(body, a, p)));
        }
        if !c.method && exec_path(c).is_none() {
            if let Some(s) = ctx.helper(c)
                && s.chmods
                    .iter()
                    .any(|&i| arg_for(c, s, i).is_some_and(|a| same_path(body, a, p)))
            {
                return true;
            }
            let lower = name.to_ascii_lowercase();
            if (lower.contains("executable") || lower.contains("chmod") || lower.contains("perm"))
                && !lower.contains("stub")
            {
                return c.args.iter().any(|a| same_path(body, a, p));
            }
        }
        false
    })
}

pub(crate) fn summarize(b: &Body) -> Summary {
    let mut s = Summary {
        has_self: b.params.first().is_some_and(|p| p == "self"),
        ..Summary::default()
    };
    let empty = Model::default();
    let ctx = Ctx {
        file: "",
        path: "",
        lines: Vec::new(),
        model: &empty,
        windows_everywhere: false,
        helpers: HashMap::new(),
    };
    for (i, p) in b.params.iter().enumerate() {
        if p.is_empty() || p == "self" {
            continue;
        }
        let key = Key {
            text: p.clone(),
            ident: Some(p.clone()),
            ..Key::default()
        };
        if chmods(&ctx, b, &key, None) {
            s.chmods.push(i);
        }
        if b.calls
            .iter()
            .any(|c| exec_path(c).is_some_and(|e| same_path(b, e, &key)))
        {
            s.execs.push(i);
        }
        for c in &b.calls {
            if let Some(w) = created_path(c)
                && same_path(b, w, &key)
                && (chain_exec_mode(c) || chmods(&ctx, b, &key, c.bound_to.as_deref()))
            {
                s.installs.push((i, c.at));
            }
            let content = match (c.method, c.name.as_str()) {
                (false, "write") => c.args.get(1),
                (true, "write_all") => c.args.first(),
                _ => None,
            };
            if content.is_some_and(|k| same_path(b, k, &key)) {
                s.writes_content.push(i);
            }
        }
    }
    s
}
