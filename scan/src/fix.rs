//! `--fix`: the one mechanical rewrite. A loop whose whole body is a
//! `match` on a `Command`'s `spawn()`, `output()` or `status()`, with one
//! arm that retries on ETXTBSY and every other arm leaving the loop,
//! becomes that match on `spawn_retrying()` (or `output_retrying()`,
//! `status_retrying()`) without the retry arm; `break v` in the arms that
//! leave becomes `v`. `use flakeproof::SpawnRetryExt;` goes at the top of
//! the function. Anything else is left as a suggestion. The edit is made on
//! the text by byte ranges, so comments and formatting elsewhere stay.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Arm, Block, Expr, Stmt};

use crate::analyze::{Options, parse_error, scan};
use crate::finding::{ParseError, Rule};
use crate::keys::text_of;
use crate::rules::spawn_method;

/// A file after `--fix`.
///
/// ```
/// let same = flakeproof_scan::fix("src/f.rs", "fn f() {}\n").unwrap();
/// assert!(same.rewritten.is_empty() && same.text == "fn f() {}\n");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fixed {
    /// The new text (the old one when nothing was rewritten).
    pub text: String,
    /// Loops rewritten, by the 1-based line each started on.
    pub rewritten: Vec<usize>,
}

/// Rewrite the hand-rolled ETXTBSY retry loops around a spawn in `source`.
///
/// ```
/// let src = "fn run(cmd: &mut std::process::Command) -> std::io::Result<std::process::Output> {
///     loop {
///         match cmd.output() {
///             Err(e) if e.raw_os_error() == Some(26) => std::thread::sleep(std::time::Duration::from_millis(10)),
///             other => break other,
///         }
///     }
/// }";
/// let fixed = flakeproof_scan::fix("src/run.rs", src).unwrap();
/// assert_eq!(fixed.rewritten, [2]);
/// assert!(fixed.text.contains("match cmd.output_retrying() {"));
/// assert!(fixed.text.contains("use flakeproof::SpawnRetryExt;"));
/// ```
pub fn fix(file: &str, source: &str) -> Result<Fixed, ParseError> {
    // Only loops that hold a finding: one silenced by an allow comment, or
    // not reported at all, is left as it is.
    let report = scan(file, source, &Options::default())?;
    let found: Vec<usize> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::HandRolledEtxtbsyRetry)
        .map(|f| f.line)
        .collect();
    let ast = syn::parse_file(source).map_err(|e| parse_error(file, &e))?;
    let mut finder = Finder {
        found,
        src: source,
        fn_block: None,
        edits: Vec::new(),
        imports: Vec::new(),
        rewritten: Vec::new(),
        tokio: text_of(&ast).contains("tokio::process"),
    };
    finder.visit_file(&ast);
    let Finder {
        mut edits,
        imports,
        mut rewritten,
        ..
    } = finder;
    proc_macro2::extra::invalidate_current_thread_spans();
    let already = ast
        .items
        .iter()
        .any(|i| matches!(i, syn::Item::Use(u) if text_of(u).contains("SpawnRetryExt")));
    if !already {
        let mut seen = Vec::new();
        for (at, indent) in imports {
            if !seen.contains(&at) {
                seen.push(at);
                edits.push((at, at, format!("\n{indent}use flakeproof::SpawnRetryExt;")));
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = source.to_string();
    for (start, end, with) in edits {
        text.replace_range(start..end, &with);
    }
    rewritten.sort_unstable();
    if syn::parse_file(&text).is_err() {
        return Ok(Fixed {
            text: source.to_string(),
            rewritten: Vec::new(),
        });
    }
    proc_macro2::extra::invalidate_current_thread_spans();
    Ok(Fixed { text, rewritten })
}

struct Finder<'s> {
    /// The lines of the retry findings this fix may act on.
    found: Vec<usize>,
    src: &'s str,
    /// The innermost function body: where its `{` ends, and its statements' indent.
    fn_block: Option<(usize, String)>,
    edits: Vec<(usize, usize, String)>,
    imports: Vec<(usize, String)>,
    rewritten: Vec<usize>,
    tokio: bool,
}

fn range(s: Span) -> std::ops::Range<usize> {
    s.byte_range()
}

impl Finder<'_> {
    fn slice(&self, s: Span) -> &str {
        &self.src[range(s)]
    }

    fn enter_fn(&mut self, block: &Block, f: impl FnOnce(&mut Self)) {
        let open = range(block.brace_token.span.open()).end;
        let indent = block
            .stmts
            .first()
            .map(|s| {
                let line_start = self.src[..range(s.span()).start]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                self.src[line_start..range(s.span()).start].to_string()
            })
            .unwrap_or_else(|| "    ".to_string());
        let outer = self.fn_block.replace((open, indent));
        f(self);
        self.fn_block = outer;
    }

    /// The rewrite of one loop, if it has the mechanical shape. `bound`:
    /// the names the loop's own pattern binds (`for attempt in ..`), which
    /// the arms kept after the loop is gone must not use.
    fn rewrite(&self, body: &Block, loop_start: usize, bound: &[String]) -> Option<String> {
        let [stmt] = body.stmts.as_slice() else {
            return None;
        };
        let m = match stmt {
            Stmt::Expr(Expr::Match(m), _) => m,
            _ => return None,
        };
        let Expr::MethodCall(call) = &*m.expr else {
            return None;
        };
        let retrying = spawn_method(&call.method.to_string())?;
        if !call.args.is_empty() || self.tokio {
            return None;
        }
        let (retry, rest): (Vec<&Arm>, Vec<&Arm>) = m.arms.iter().partition(|a| is_etxtbsy_arm(a));
        if retry.len() != 1 || rest.is_empty() || !matches!(leaves(&retry[0].body), Leave::Stays) {
            return None;
        }
        // Not mechanical: an arm under an attribute (`#[cfg]`), a kept arm
        // that uses the loop's counter, a comment between the arms (it
        // would be lost).
        if m.arms.iter().any(|a| !a.attrs.is_empty())
            || rest.iter().any(|a| mentions(a, bound))
            || self.comment_between_arms(m)
        {
            return None;
        }
        let mut arms = String::new();
        for arm in rest {
            let body = match leaves(&arm.body) {
                Leave::Diverges => self.slice(arm.body.span()).to_string(),
                Leave::Breaks(v) => self.unbreak(&arm.body, v)?,
                Leave::Stays | Leave::Other => return None,
            };
            let head_end = range(arm.fat_arrow_token.span()).end;
            let head = &self.src[range(arm.pat.span()).start..head_end];
            // One level shallower than in the loop. (A string spanning
            // lines would change its text when re-indented: not mechanical.)
            if multiline_string(&arm.body) {
                return None;
            }
            let body = body.replace("\n    ", "\n");
            arms.push_str(&format!("    {head} {body},\n"));
        }
        let recv = self.slice(call.receiver.span());
        let indent = line_indent(self.src, loop_start);
        let arms = arms
            .lines()
            .map(|l| format!("{indent}{l}\n"))
            .collect::<String>();
        Some(format!("match {recv}.{retrying}() {{\n{arms}{indent}}}"))
    }

    /// An arm body that ends in `break v` (or `break`), with it made `v`.
    fn unbreak(&self, body: &Expr, value: Option<&Expr>) -> Option<String> {
        let v = value.map(|v| self.slice(v.span()).to_string());
        match body {
            Expr::Break(_) => Some(v.unwrap_or_else(|| "{}".into())),
            Expr::Block(b) => {
                let last = b.block.stmts.last()?;
                let start = range(b.span()).start;
                let cut = range(last.span()).start;
                let close = range(b.block.brace_token.span.close()).start;
                let before = &self.src[start..cut];
                let tail = &self.src[range(last.span()).end..close];
                Some(format!("{before}{}{tail}}}", v.unwrap_or_default()))
            }
            _ => None,
        }
    }
}

impl Finder<'_> {
    /// A `//` or `/*` inside the match's braces but outside every arm.
    fn comment_between_arms(&self, m: &syn::ExprMatch) -> bool {
        let inner = range(m.brace_token.span.open()).end..range(m.brace_token.span.close()).start;
        let mut outside = self.src[inner.clone()].to_string().into_bytes();
        for a in &m.arms {
            let r = range(a.span());
            for b in &mut outside[r.start - inner.start..r.end - inner.start] {
                *b = b' ';
            }
        }
        let outside = String::from_utf8_lossy(&outside);
        outside.contains("//") || outside.contains("/*")
    }
}

/// Does `arm` name any of `names`?
fn mentions(arm: &Arm, names: &[String]) -> bool {
    struct Find<'a>(&'a [String], bool);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
            self.1 |= self.0.iter().any(|n| i == n);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            // `eprintln!("{attempt}")`: names inside macros and format strings.
            let t = m.tokens.to_string();
            self.1 |= self.0.iter().any(|n| {
                t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == n)
            });
        }
    }
    let mut f = Find(names, false);
    f.visit_arm(arm);
    f.1
}

/// The names a pattern binds.
fn bindings(p: &syn::Pat) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, i: &'ast syn::PatIdent) {
            self.0.push(i.ident.to_string());
            visit::visit_pat_ident(self, i);
        }
    }
    let mut n = Names(Vec::new());
    n.visit_pat(p);
    n.0
}

/// A string literal in `e` whose text spans lines.
fn multiline_string(e: &Expr) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_lit(&mut self, l: &'ast syn::Lit) {
            self.0 |= l.to_token_stream().to_string().contains('\n');
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.0 |= m.tokens.to_string().contains('\n');
        }
    }
    let mut f = Find(false);
    f.visit_expr(e);
    f.0
}

fn line_indent(src: &str, at: usize) -> String {
    let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
    src[line_start..at]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect()
}

enum Leave<'a> {
    /// Ends in `return`, `panic!` and the like.
    Diverges,
    /// Ends in `break` or `break v` (the value).
    Breaks(Option<&'a Expr>),
    /// Falls through (the retry arm: sleep, count, `continue`).
    Stays,
    /// A `break`/`continue`/`return` somewhere else inside: not mechanical.
    Other,
}

fn leaves(e: &Expr) -> Leave<'_> {
    let last: &Expr = match e {
        Expr::Block(b) => match b.block.stmts.last() {
            Some(Stmt::Expr(x, _)) => x,
            Some(Stmt::Macro(m)) => return macro_leave(&m.mac, jumps(e) == 0),
            _ => {
                return if jumps(e) == 0 {
                    Leave::Stays
                } else {
                    Leave::Other
                };
            }
        },
        x => x,
    };
    let inner_jumps = jumps(e) - usize::from(matches!(last, Expr::Break(_) | Expr::Continue(_)));
    match last {
        Expr::Return(_) if inner_jumps <= 1 => Leave::Diverges,
        Expr::Break(b) if inner_jumps == 0 && b.label.is_none() => Leave::Breaks(b.expr.as_deref()),
        Expr::Continue(_) if inner_jumps == 0 => Leave::Stays,
        Expr::Macro(m) => macro_leave(&m.mac, inner_jumps == 0),
        _ if inner_jumps == 0 => Leave::Stays,
        _ => Leave::Other,
    }
}

fn macro_leave(m: &syn::Macro, clean: bool) -> Leave<'static> {
    let name = m
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    match name.as_str() {
        "panic" | "unreachable" | "todo" | "unimplemented" if clean => Leave::Diverges,
        _ if clean => Leave::Stays,
        _ => Leave::Other,
    }
}

/// `break`, `continue` and `return` in `e`, outside nested loops and closures.
fn jumps(e: &Expr) -> usize {
    struct Count(usize);
    impl<'ast> Visit<'ast> for Count {
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            self.0 += 1;
            visit::visit_expr_break(self, b);
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            self.0 += 1;
        }
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.0 += 1;
            visit::visit_expr_return(self, r);
        }
        fn visit_expr_loop(&mut self, _: &'ast syn::ExprLoop) {}
        fn visit_expr_while(&mut self, _: &'ast syn::ExprWhile) {}
        fn visit_expr_for_loop(&mut self, _: &'ast syn::ExprForLoop) {}
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut c = Count(0);
    c.visit_expr(e);
    c.0
}

/// `Err(e) if <ETXTBSY check> => ..`.
fn is_etxtbsy_arm(a: &Arm) -> bool {
    let Some((_, guard)) = &a.guard else {
        return false;
    };
    let t = text_of(guard);
    (t.contains("raw_os_error")
        && (t.contains("Some(26)") || t.contains("TXTBSY") || t.contains("TEXT_FILE_BUSY")))
        || t.contains("ExecutableFileBusy")
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.enter_fn(&f.block, |s| visit::visit_item_fn(s, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.enter_fn(&f.block, |s| visit::visit_impl_item_fn(s, f));
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        let (body, bound) = match e {
            Expr::Loop(l) if l.label.is_none() => (Some(&l.body), Vec::new()),
            Expr::ForLoop(l) if l.label.is_none() => (Some(&l.body), bindings(&l.pat)),
            Expr::While(l) if l.label.is_none() => (
                Some(&l.body),
                match &*l.cond {
                    Expr::Let(c) => bindings(&c.pat),
                    _ => Vec::new(),
                },
            ),
            _ => (None, Vec::new()),
        };
        let lines = e.span().start().line..=e.span().end().line;
        let reported = self.found.iter().any(|l| lines.contains(l));
        if let (Some(body), Some(fn_block), true) = (body, self.fn_block.clone(), reported)
            && let Some(with) = self.rewrite(body, range(e.span()).start, &bound)
        {
            let r = range(e.span());
            self.rewritten.push(e.span().start().line);
            self.edits.push((r.start, r.end, with));
            self.imports.push(fn_block);
            return;
        }
        visit::visit_expr(self, e);
    }
}
