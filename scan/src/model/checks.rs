//! What marks the code the rules look for, as the walk meets it: an
//! ETXTBSY check (errno 26 beside `raw_os_error()`, the constant's names,
//! `ExecutableFileBusy`, the error's text) and a `#!` script literal.

use syn::visit::{self, Visit};
use syn::{Expr, Lit};

use super::tokens::busy_text;
use super::types::{EtxToken, Shebang};
use super::walker::Walker;
use crate::keys::{IntLits, Pos, mentions_call, text_of};

impl Walker {
    pub(super) fn binary(&mut self, b: &syn::ExprBinary) {
        if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) {
            let cond = Expr::Binary(b.clone());
            self.errno_26(&b.left, |l| l.visit_expr(&b.right), &cond);
            self.errno_26(&b.right, |l| l.visit_expr(&b.left), &cond);
            for side in [&b.left, &b.right] {
                if let Expr::Lit(l) = &**side
                    && let Lit::Str(s) = &l.lit
                    && busy_text(&s.value())
                {
                    self.etx(Pos::of(s.span()), "\"Text file busy\"", None);
                }
            }
        }
        if let syn::BinOp::And(_) | syn::BinOp::Or(_) = b.op {
            // `kind() == Other && raw_os_error() == Some(26)`: note the kind test.
            let before = self.body.etx.len();
            visit::visit_expr_binary(self, b);
            if text_of(b).contains("ErrorKind::Other") {
                for t in &mut self.body.etx[before..] {
                    t.with_other_kind = true;
                }
            }
            return;
        }
        visit::visit_expr_binary(self, b);
    }

    pub(super) fn etx(&mut self, at: Pos, what: &str, cond: Option<&Expr>) {
        if self.cond == 0 {
            return;
        }
        self.etx_test(at, what, cond);
    }

    /// A token bound by a `let` for a later comparison: it counts where the
    /// name is compared (see the rule).
    pub(super) fn etx_bound(&mut self, at: Pos, what: &str, name: String) {
        self.etx_test(at, what, None);
        if let Some(t) = self.body.etx.last_mut()
            && t.at == at
        {
            t.bound_to = Some(name);
        }
    }

    /// [`etx`](Self::etx) for what tests by itself, wherever it stands
    /// (`message.ends_with("(os error 26)")` as a predicate's result).
    pub(super) fn etx_test(&mut self, at: Pos, what: &str, cond: Option<&Expr>) {
        if self.in_const || self.asserting > 0 {
            return;
        }
        let with_other_kind = cond.is_some_and(|c| text_of(c).contains("ErrorKind::Other"));
        self.body.etx.push(EtxToken {
            at,
            what: what.to_string(),
            with_other_kind,
            in_retry_closure: self.retry_closure > 0,
            bound_to: None,
        });
    }

    pub(super) fn errno_26(
        &mut self,
        scrutinee: &Expr,
        visit_pat: impl FnOnce(&mut IntLits),
        cond: &Expr,
    ) {
        if !mentions_call(scrutinee, "raw_os_error") {
            return;
        }
        let mut lits = IntLits {
            value: 26,
            found: Vec::new(),
        };
        visit_pat(&mut lits);
        for at in lits.found {
            self.etx(at, "26", Some(cond));
        }
    }
    pub(super) fn shebang(&mut self, v: String, at: Pos) {
        // `#!/bin/sh`, `#! /usr/bin/env bash`; not `#![allow(..)]`, an inner attribute.
        // A raw string opened as `r"\` + newline keeps that backslash in
        // the text (a mistaken line continuation); the script follows it.
        let t = v.trim_start();
        let t = t.strip_prefix('\\').map_or(t, str::trim_start);
        if t.starts_with("#!/") || t.starts_with("#! /") {
            self.body.shebangs.push(Shebang {
                text: t.to_string(),
                at,
                calls: self.call_stack.clone(),
                bound_to: self.let_name.clone(),
            });
        }
    }
}
