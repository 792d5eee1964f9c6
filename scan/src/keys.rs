//! Expressions boiled down to what the rules compare: a path argument's
//! text with the borrows and clones taken off (`&p`, `p.clone()` and `p`
//! are one path), the file name it ends in, and the literals inside it.

use proc_macro2::Span;
use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{Expr, Lit};

/// Where something is: 1-based line and column, and byte offsets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
}

impl Pos {
    pub(crate) fn of(span: Span) -> Pos {
        let lc = span.start();
        let range = span.byte_range();
        Pos {
            line: lc.line,
            column: lc.column + 1,
            start: range.start,
            end: range.end,
        }
    }

    pub(crate) fn contains(&self, other: Pos) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// An argument, as the rules compare it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Key {
    /// The expression's text, whitespace removed, borrows and clones off.
    pub text: String,
    /// A plain variable's name.
    pub ident: Option<String>,
    /// The file name it ends in, where a literal says: `dir.join("git")`,
    /// `"target/debug/app"`.
    pub name: Option<String>,
    /// Every string literal inside.
    pub strs: Vec<String>,
    /// Every integer literal inside.
    pub ints: Vec<u64>,
    /// Every identifier inside (paths' segments, methods).
    pub words: Vec<String>,
}

/// Methods that give back the same path (or a view of it).
const SAME_PATH: [&str; 10] = [
    "as_bytes",
    "clone",
    "as_path",
    "as_ref",
    "to_path_buf",
    "to_owned",
    "as_os_str",
    "into",
    "borrow",
    "as_str",
];

fn strip(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Reference(r) => &r.expr,
            Expr::Paren(p) => &p.expr,
            Expr::Group(g) => &g.expr,
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &u.expr,
            Expr::MethodCall(m)
                if m.args.is_empty() && SAME_PATH.contains(&m.method.to_string().as_str()) =>
            {
                &m.receiver
            }
            _ => return e,
        };
    }
}

pub(crate) fn text_of(t: &impl ToTokens) -> String {
    let mut s = t.to_token_stream().to_string();
    s.retain(|c| !c.is_whitespace());
    s
}

pub(crate) fn key_of(expr: &Expr) -> Key {
    let e = strip(expr);
    let mut lits = Lits::default();
    lits.visit_expr(e);
    let ident = match e {
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            Some(p.path.segments[0].ident.to_string())
        }
        _ => None,
    };
    Key {
        text: text_of(e),
        ident,
        name: file_name(e),
        strs: lits.strs,
        ints: lits.ints,
        words: lits.words,
    }
}

/// The last component a literal names: `"a/b/git"` and `d.join("git")`
/// both end in `git`.
fn file_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(s) => {
                let v = s.value();
                let last = v.rsplit(['/', '\\']).next().unwrap_or("").to_string();
                (!last.is_empty()).then_some(last)
            }
            _ => None,
        },
        Expr::MethodCall(m) if m.method == "join" || m.method == "with_file_name" => {
            m.args.first().and_then(|a| file_name(strip(a)))
        }
        _ => None,
    }
}

#[derive(Default)]
struct Lits {
    strs: Vec<String>,
    ints: Vec<u64>,
    words: Vec<String>,
}

impl<'ast> Visit<'ast> for Lits {
    fn visit_lit(&mut self, l: &'ast Lit) {
        match l {
            Lit::Str(s) => self.strs.push(s.value()),
            Lit::Int(i) => {
                if let Ok(v) = i.base10_parse::<u64>() {
                    self.ints.push(v);
                }
            }
            _ => {}
        }
    }
    fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
        self.words.push(i.to_string());
    }
    // `format!("target/{name}{}", EXE_SUFFIX)`: the literals inside count.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let parsed = m
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated);
        for e in parsed.iter().flatten() {
            self.visit_expr(e);
        }
    }
}

/// Does `e` call a method or function named `name` anywhere inside?
pub(crate) fn mentions_call(e: &Expr, name: &str) -> bool {
    struct Find<'a>(&'a str, bool);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.1 |= m.method == self.0;
            visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*c.func {
                self.1 |= p.path.segments.last().is_some_and(|s| s.ident == self.0);
            }
            visit::visit_expr_call(self, c);
        }
    }
    let mut f = Find(name, false);
    f.visit_expr(e);
    f.1
}

/// Every integer literal equal to `value` inside an expression or pattern.
#[derive(Default)]
pub(crate) struct IntLits {
    pub value: u64,
    pub found: Vec<Pos>,
}

impl<'ast> Visit<'ast> for IntLits {
    fn visit_lit_int(&mut self, i: &'ast syn::LitInt) {
        if i.base10_parse::<u64>().ok() == Some(self.value) {
            self.found.push(Pos::of(i.span()));
        }
    }
}

/// A mode with any execute bit: `0o755`, `0o700`, `0o111`.
pub(crate) fn is_exec_mode(v: u64) -> bool {
    v & 0o111 != 0 && v <= 0o7777
}

/// A mode argument with execute bits: an octal literal (`0o755`), or the
/// constants that name them (`Mode::S_IRWXU`, `libc::S_IXUSR`).
pub(crate) fn exec_mode_key(k: &Key) -> bool {
    k.ints.iter().any(|&v| is_exec_mode(v))
        || k.words.iter().any(|w| {
            matches!(
                w.as_str(),
                "S_IRWXU" | "S_IRWXG" | "S_IRWXO" | "S_IXUSR" | "S_IXGRP" | "S_IXOTH"
            )
        })
}
