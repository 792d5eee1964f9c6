//! Reading syntax the walk needs: which OS a cfg builds for, test
//! attributes, a method chain's root, a signature's parameter names.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprMethodCall, Meta, Token};

use super::types::Os;
use crate::keys::{Key, key_of, text_of};

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

/// The OS a list of attributes restricts code to.
pub(super) fn cfg_os(attrs: &[Attribute]) -> Option<Os> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .filter_map(|a| a.parse_args::<Meta>().ok())
        .find_map(|m| os_of(&m))
}

/// The OS a `cfg!(..)`'s tokens restrict a branch to.
pub(super) fn os_of_cfg(tokens: &proc_macro2::TokenStream) -> Option<Os> {
    syn::parse2::<Meta>(tokens.clone())
        .ok()
        .and_then(|m| os_of(&m))
}

fn os_of(m: &Meta) -> Option<Os> {
    let on = |windows: bool| {
        possible(m, &|leaf| match leaf {
            Leaf::Windows => Some(windows),
            Leaf::OtherOs => Some(!windows),
            _ => None,
        })
    };
    match (on(true).can_be(true), on(false).can_be(true)) {
        (true, false) => Some(Os::Windows),
        (false, true) => Some(Os::NotWindows),
        _ => None,
    }
}

/// A cfg predicate's leaves, as far as the rules care.
enum Leaf {
    /// `windows`, `target_os = "windows"`, `target_family = "windows"`.
    Windows,
    /// `unix`, `target_family = "unix"`, any other `target_os`.
    OtherOs,
    Test,
    /// Anything else (`feature = ".."`, `debug_assertions`): either way.
    Other,
}

fn leaf(m: &Meta) -> Leaf {
    let key = m
        .path()
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default();
    match m {
        Meta::Path(_) => match key.as_str() {
            "windows" => Leaf::Windows,
            "unix" => Leaf::OtherOs,
            "test" => Leaf::Test,
            _ => Leaf::Other,
        },
        Meta::NameValue(nv) => {
            let value = match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => s.value(),
                _ => return Leaf::Other,
            };
            match (key.as_str(), value.as_str()) {
                ("target_os" | "target_family", "windows") => Leaf::Windows,
                ("target_os", _) | ("target_family", "unix") => Leaf::OtherOs,
                _ => Leaf::Other,
            }
        }
        Meta::List(_) => Leaf::Other,
    }
}

/// The truth values a predicate can take: bit 0 false, bit 1 true.
#[derive(Clone, Copy)]
struct Can(u8);

impl Can {
    const EITHER: Can = Can(0b11);
    fn of(v: bool) -> Can {
        Can(if v { 0b10 } else { 0b01 })
    }
    fn can_be(self, v: bool) -> bool {
        self.0 & Can::of(v).0 != 0
    }
}

/// What `m` can evaluate to, given what `known` says of its leaves
/// (`None`: either). `not`, `all` and `any` as cfg defines them.
fn possible(m: &Meta, known: &dyn Fn(Leaf) -> Option<bool>) -> Can {
    if let Meta::List(l) = m {
        let op = l
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        let Ok(args) = l.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
            return Can::EITHER;
        };
        let each: Vec<Can> = args.iter().map(|a| possible(a, known)).collect();
        return match op.as_str() {
            "not" => match each.first() {
                Some(c) => Can((c.0 & 1) << 1 | (c.0 >> 1)),
                None => Can::EITHER,
            },
            "all" => Can(u8::from(each.iter().any(|c| c.can_be(false)))
                | u8::from(each.iter().all(|c| c.can_be(true))) << 1),
            "any" => Can(u8::from(each.iter().all(|c| c.can_be(false)))
                | u8::from(each.iter().any(|c| c.can_be(true))) << 1),
            _ => Can::EITHER,
        };
    }
    known(leaf(m)).map_or(Can::EITHER, Can::of)
}

/// `#[test]` and its kin, or a cfg that holds only under test
/// (`cfg(test)`, `cfg(all(test, unix))`; not `cfg(not(test))`).
pub(super) fn is_test_attr(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        let last = a.path().segments.last().map(|s| s.ident.to_string());
        let test_only = a.path().is_ident("cfg")
            && a.parse_args::<Meta>().is_ok_and(|m| {
                !possible(&m, &|leaf| matches!(leaf, Leaf::Test).then_some(false)).can_be(true)
            });
        matches!(
            last.as_deref(),
            Some("test" | "rstest" | "test_case" | "serial")
        ) || test_only
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

/// Parameters whose type names a retry policy (`moves: &RetryPolicy`,
/// `b: impl Backoff`): a closure given to their `.run(..)` is retried.
pub(super) fn retry_params(sig: &syn::Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .filter_map(|i| match i {
            syn::FnArg::Typed(t) => {
                let ty = crate::keys::text_of(&t.ty);
                let named = ty.contains("Retry") || ty.contains("Backoff");
                match &*t.pat {
                    syn::Pat::Ident(p) if named => Some(p.ident.to_string()),
                    _ => None,
                }
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}
