//! The rules, over a file's [`Model`]: what they share (paths that are the
//! same path, writes, execs, the file's own helper functions) and the
//! finding each one makes.

mod exec;
mod retry;
mod roles;
mod script;
mod shared;
mod windows;

use std::collections::HashMap;

use crate::finding::Finding;
use crate::model::Model;
use shared::{Ctx, summarize};

pub(crate) use retry::spawn_method;

pub(crate) fn run(
    file: &str,
    path: &str,
    source: &str,
    model: &Model,
    windows_everywhere: bool,
) -> Vec<Finding> {
    let mut ctx = Ctx {
        file,
        path,
        lines: source.lines().collect(),
        model,
        windows_everywhere,
        helpers: HashMap::new(),
    };
    for b in &model.bodies {
        if !b.params.is_empty() {
            ctx.helpers.insert(b.name.as_str(), summarize(b));
        }
    }
    let mut out = Vec::new();
    for b in &model.bodies {
        exec::check(&ctx, b, &mut out);
        script::check(&ctx, b, &mut out);
        retry::check(&ctx, b, &mut out);
        windows::check(&ctx, b, &mut out);
    }
    out.sort_by_key(|f| (f.line, f.column, f.rule));
    out.dedup_by(|a, b| a.line == b.line && a.rule == b.rule);
    out
}
