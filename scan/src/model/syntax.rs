//! Reading syntax the walk needs: which OS a cfg builds for, test
//! attributes, a method chain's root, a signature's parameter names.

use syn::{Attribute, Expr, ExprMethodCall};

use super::Os;
use crate::keys::{Key, key_of, text_of};

pub(super) fn attr_text(a: &Attribute) -> String {
    text_of(&a.meta)
}

/// The OS a list of attributes restricts code to.
/// The attributes on an expression statement (`#[cfg(windows)] if .. {}`).
pub(super) fn expr_attrs(e: &syn::Expr) -> &[Attribute] {
    use syn::Expr;
    match e {
        Expr::Block(x) => &x.attrs,
        Expr::If(x) => &x.attrs,
        Expr::Call(x) => &x.attrs,
        Expr::MethodCall(x) => &x.attrs,
        Expr::Match(x) => &x.attrs,
        Expr::ForLoop(x) => &x.attrs,
        Expr::While(x) => &x.attrs,
        Expr::Loop(x) => &x.attrs,
        Expr::Unsafe(x) => &x.attrs,
        Expr::Try(x) => &x.attrs,
        _ => &[],
    }
}

pub(super) fn cfg_os(attrs: &[Attribute]) -> Option<Os> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .find_map(|a| os_of_cfg(&attr_text(a)))
}

pub(super) fn os_of_cfg(t: &str) -> Option<Os> {
    let win = t.contains("windows");
    if t.contains("not(windows)") || t.contains("not(target_os=\"windows\")") {
        Some(Os::NotWindows)
    } else if win {
        Some(Os::Windows)
    } else if t.contains("unix")
        || ["linux", "macos", "android", "freebsd", "ios"]
            .iter()
            .any(|os| t.contains(&format!("target_os=\"{os}\"")))
    {
        Some(Os::NotWindows)
    } else {
        None
    }
}

pub(super) fn is_test_attr(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        let last = a.path().segments.last().map(|s| s.ident.to_string());
        matches!(
            last.as_deref(),
            Some("test" | "rstest" | "test_case" | "serial")
        ) || (a.path().is_ident("cfg") && attr_text(a).contains("test"))
    })
}

type Chain = (String, Vec<Key>, Vec<(String, Vec<Key>)>);

pub(super) fn chain_of(m: &ExprMethodCall) -> Chain {
    let mut chain = Vec::new();
    let mut e: &Expr = &m.receiver;
    loop {
        match e {
            Expr::MethodCall(inner) => {
                chain.push((
                    inner.method.to_string(),
                    inner.args.iter().map(key_of).collect(),
                ));
                e = &inner.receiver;
            }
            Expr::Try(t) => e = &t.expr,
            Expr::Await(a) => e = &a.base,
            Expr::Paren(p) => e = &p.expr,
            Expr::Reference(r) => e = &r.expr,
            Expr::Call(c) => {
                let root = match &*c.func {
                    Expr::Path(p) => last_two(&p.path),
                    _ => String::new(),
                };
                chain.reverse();
                return (root, c.args.iter().map(key_of).collect(), chain);
            }
            Expr::Path(p) => {
                chain.reverse();
                return (text_of(&p.path), Vec::new(), chain);
            }
            _ => {
                chain.reverse();
                return (String::new(), Vec::new(), chain);
            }
        }
    }
}

fn last_two(p: &syn::Path) -> String {
    let n = p.segments.len();
    p.segments
        .iter()
        .skip(n.saturating_sub(2))
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

pub(super) fn params_of(sig: &syn::Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .map(|i| match i {
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(p) => p.ident.to_string(),
                _ => String::new(),
            },
            syn::FnArg::Receiver(_) => "self".to_string(),
        })
        .collect()
}
