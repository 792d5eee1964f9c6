//! Macros whose bodies are expressions (`assert!`, `write!`, `format!`,
//! `matches!`): walked as if written out, so a spawn inside `assert!` or a
//! script inside `write!` is seen. Other macros are skipped.

use syn::visit::Visit;
use syn::{Expr, Macro};

use super::types::{Call, Os};
use super::walker::Walker;
use crate::keys::{Key, Pos, key_of, text_of};

impl Walker {
    /// A macro whose body is expressions (`assert!`, `write!`, `vec!`,
    /// `format!`): walked as if they were written out; others skipped.
    pub(super) fn visit_macro_body(&mut self, mac: &Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "cfg" {
            let t = text_of(&mac.tokens);
            if t.contains("windows") {
                self.model.windows_aware = true;
            }
            return;
        }
        if name == "matches" {
            let parsed = mac.parse_body_with(|input: syn::parse::ParseStream| {
                let e: Expr = input.parse()?;
                let _: syn::Token![,] = input.parse()?;
                let p = syn::Pat::parse_multi_with_leading_vert(input)?;
                // `matches!(e, P if guard)`: the guard is a condition too.
                let guard = match input.parse::<Option<syn::Token![if]>>()? {
                    Some(_) => Some(input.parse::<Expr>()?),
                    None => None,
                };
                let _rest: proc_macro2::TokenStream = input.parse()?;
                Ok((e, p, guard))
            });
            if let Ok((e, p, guard)) = parsed {
                let cond: Expr = syn::parse_quote!(matches!(#e, #p));
                self.cond += 1;
                self.errno_26(&e, |l| l.visit_pat(&p), &cond);
                self.visit_expr(&e);
                self.visit_pat(&p);
                if let Some(g) = &guard {
                    self.visit_expr(g);
                }
                self.cond -= 1;
            }
            return;
        }
        let parsed = mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated);
        let Ok(args) = parsed else { return };
        if name == "write" || name == "writeln" {
            let keys: Vec<Key> = args.iter().map(key_of).collect();
            let at = Pos::of(
                mac.path
                    .segments
                    .last()
                    .map(|s| s.ident.span())
                    .unwrap_or_else(proc_macro2::Span::call_site),
            );
            let idx = self.push_call(Call {
                name: format!("{name}!"),
                qual: String::new(),
                method: false,
                recv: keys.first().cloned(),
                root: String::new(),
                root_args: Vec::new(),
                chain: Vec::new(),
                args: keys,
                at,
                start: at,
                os: Os::Any,
                dropped: false,
                bound_to: None,
                in_retry_closure: false,
            });
            self.call_stack.push(idx);
            for a in &args {
                self.visit_expr(a);
            }
            self.call_stack.pop();
            return;
        }
        let asserting = name.starts_with("assert")
            || name.starts_with("debug_assert")
            || name.starts_with("prop_assert");
        self.asserting += usize::from(asserting);
        for a in &args {
            self.visit_expr(a);
        }
        self.asserting -= usize::from(asserting);
    }
}
