//! The walk itself: a syn visitor over one file that fills a [`Model`],
//! keeping the context each call needs (the function, the cfg, the `let`
//! it is bound by, whether its result is dropped, the conditions and
//! loops around it).

use syn::visit::{self, Visit};
use syn::{Attribute, Expr, ExprCall, ExprMethodCall, Item, Lit, Macro};

use super::syntax::{
    cfg_os, chain_of, expr_attrs, is_test_attr, os_of_cfg, params_of, retry_params,
};
use super::tokens::{busy_text, etx_name};
use super::types::{Body, Call, Loop, Model, Os};
use crate::keys::{Pos, key_of, text_of};

pub(super) struct Walker {
    pub(super) model: Model,
    pub(super) body: Body,
    pub(super) os: Vec<Os>,
    pub(super) test: Vec<bool>,
    pub(super) call_stack: Vec<usize>,
    pub(super) let_name: Option<String>,
    /// The `let` whose initializer the walk is in, however deep.
    pub(super) binding: Option<String>,
    pub(super) retry_closure: usize,
    pub(super) in_const: bool,
    pub(super) drop_next: bool,
    /// Inside a condition: `==`, a match arm, `if`/`while`, `if let`, `matches!`.
    pub(super) cond: usize,
    /// Inside `assert!` and its kin: a check there tests, it doesn't retry.
    pub(super) asserting: usize,
}

impl Walker {
    pub(super) fn os(&self) -> Os {
        *self.os.last().unwrap_or(&Os::Any)
    }

    pub(super) fn with_body(
        &mut self,
        sig: &syn::Signature,
        test: bool,
        f: impl FnOnce(&mut Self),
    ) {
        let outer = std::mem::take(&mut self.body);
        let stack = std::mem::take(&mut self.call_stack);
        self.body.name = sig.ident.to_string();
        self.body.params = params_of(sig);
        self.body.retry_params = retry_params(sig);
        self.body.is_test = test || *self.test.last().unwrap_or(&false);
        f(self);
        let done = std::mem::replace(&mut self.body, outer);
        self.call_stack = stack;
        self.model.bodies.push(done);
    }

    pub(super) fn scoped(&mut self, attrs: &[Attribute], f: impl FnOnce(&mut Self)) {
        let os = cfg_os(attrs);
        if let Some(os) = os {
            self.note_os(os);
            self.os.push(os);
        }
        f(self);
        if os.is_some() {
            self.os.pop();
        }
    }

    pub(super) fn note_os(&mut self, os: Os) {
        if os != Os::Any {
            // cfg(unix) beside cfg(windows) twins: the file is built for both.
            self.model.windows_aware |= os == Os::Windows;
        }
    }

    pub(super) fn push_call(&mut self, mut call: Call) -> usize {
        call.os = self.os();
        call.in_retry_closure = self.retry_closure > 0;
        call.dropped = std::mem::take(&mut self.drop_next);
        if let Some(name) = self.let_name.take() {
            call.bound_to = Some(name);
        }
        self.body.calls.push(call);
        self.body.calls.len() - 1
    }
}

impl<'ast> Visit<'ast> for Walker {
    fn visit_item(&mut self, i: &'ast Item) {
        let attrs: &[Attribute] = match i {
            Item::Fn(f) => &f.attrs,
            Item::Mod(m) => &m.attrs,
            Item::Impl(m) => &m.attrs,
            Item::Const(c) => &c.attrs,
            Item::Static(s) => &s.attrs,
            Item::Trait(t) => &t.attrs,
            _ => &[],
        };
        if let Item::Use(u) = i {
            let t = text_of(u);
            self.model.windows_aware |= t.contains("os::windows")
                || t.starts_with("usewinapi")
                || t.contains("windows_sys");
            return; // an imported name is no check
        }
        let test = is_test_attr(attrs) || *self.test.last().unwrap_or(&false);
        self.test.push(test);
        let was_const = self.in_const;
        self.in_const |= matches!(i, Item::Const(_) | Item::Static(_));
        let shebangs = self.body.shebangs.len();
        self.scoped(attrs, |w| visit::visit_item(w, i));
        self.in_const = was_const;
        self.test.pop();
        // A script in a constant is written where the constant is named.
        let name = match i {
            Item::Const(c) => Some(c.ident.to_string()),
            Item::Static(s) => Some(s.ident.to_string()),
            _ => None,
        };
        if let Some(name) = name
            && self.body.shebangs.len() > shebangs
        {
            self.body.shebangs.truncate(shebangs);
            self.model.script_consts.push(name);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let test = is_test_attr(&f.attrs);
        self.with_body(&f.sig, test, |w| visit::visit_item_fn(w, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let test = is_test_attr(&f.attrs);
        self.scoped(&f.attrs, |w| {
            w.with_body(&f.sig, test, |w| visit::visit_impl_item_fn(w, f))
        });
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.with_body(&f.sig, false, |w| visit::visit_trait_item_fn(w, f));
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        let attrs: &[Attribute] = match s {
            syn::Stmt::Local(l) => &l.attrs,
            syn::Stmt::Expr(e, _) => expr_attrs(e),
            syn::Stmt::Macro(m) => &m.attrs,
            _ => &[],
        };
        self.scoped(attrs, |w| visit::visit_stmt(w, s));
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let name = match &l.pat {
            syn::Pat::Ident(p) => Some(p.ident.to_string()),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) => Some(p.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        let wild = matches!(&l.pat, syn::Pat::Wild(_));
        if let Some(init) = &l.init {
            if let Some(n) = &name {
                self.body.lets.push((n.clone(), key_of(&init.expr)));
            }
            self.let_name = name.clone();
            self.drop_next = wild;
            let outer = std::mem::replace(&mut self.binding, name);
            self.visit_expr(&init.expr);
            self.binding = outer;
            self.let_name = None;
            self.drop_next = false;
            if let Some((_, e)) = &init.diverge {
                self.visit_expr(e);
            }
        }
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        // The outermost call of a statement gets the `let` name and drop flag;
        // anything nested does not.
        match e {
            Expr::Call(_)
            | Expr::MethodCall(_)
            | Expr::Try(_)
            | Expr::Await(_)
            | Expr::Paren(_) => {}
            Expr::Reference(_) | Expr::Macro(_) | Expr::Lit(_) => {}
            _ => {
                self.let_name = None;
                self.drop_next = false;
            }
        }
        visit::visit_expr(self, e);
    }

    fn visit_expr_call(&mut self, c: &'ast ExprCall) {
        let Expr::Path(p) = &*c.func else {
            self.let_name = None;
            self.drop_next = false;
            return visit::visit_expr_call(self, c);
        };
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let name = segs.last().cloned().unwrap_or_default();
        let qual = segs
            .len()
            .checked_sub(2)
            .map(|i| segs[i].clone())
            .unwrap_or_default();
        let at = Pos::of(p.path.segments.last().unwrap().ident.span());
        let idx = self.push_call(Call {
            name: name.clone(),
            qual,
            method: false,
            recv: None,
            root: String::new(),
            root_args: Vec::new(),
            chain: Vec::new(),
            args: c.args.iter().map(key_of).collect(),
            at,
            start: at,
            os: Os::Any,
            dropped: false,
            bound_to: None,
            in_retry_closure: false,
        });
        let retryish = name.to_ascii_lowercase().contains("retry") || name.contains("backoff");
        self.visit_expr(&c.func);
        self.call_stack.push(idx);
        // `drop(fs::remove_file(p))`: a failure dropped on purpose.
        self.drop_next = name == "drop" && (segs.len() == 1 || segs[segs.len() - 2] == "mem");
        self.retry_closure += usize::from(retryish);
        for a in &c.args {
            self.visit_expr(a);
        }
        // (An argument with no call in it leaves the flag unread: it must
        // not reach the next call.)
        self.drop_next = false;
        self.retry_closure -= usize::from(retryish);
        self.call_stack.pop();
    }

    fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
        let method = m.method.to_string();
        // `call.ok()`, `call.unwrap_or(..)`: the receiver's failure is dropped.
        // `if fs::rename(..).is_ok()`: the caller picks a fallback. (Not
        // `is_err()`, whose branch usually passes the failure on.)
        let drops = matches!(
            method.as_str(),
            "ok" | "unwrap_or" | "unwrap_or_default" | "unwrap_or_else" | "is_ok"
        );
        let (root, root_args, chain) = chain_of(m);
        let idx = self.push_call(Call {
            name: method.clone(),
            qual: String::new(),
            method: true,
            recv: Some(key_of(&m.receiver)),
            root,
            root_args,
            chain,
            args: m.args.iter().map(key_of).collect(),
            at: Pos::of(m.method.span()),
            start: Pos::of(syn::spanned::Spanned::span(m)),
            os: Os::Any,
            dropped: false,
            bound_to: None,
            in_retry_closure: false,
        });
        // The binding belongs to the chain: `let f = File::create(p)?.sync_all()`
        // binds nothing useful, but `let f = OpenOptions::new()...open(p)?` does.
        let bound = self.body.calls[idx].bound_to.clone();
        let dropped = self.body.calls[idx].dropped;
        self.let_name = bound;
        self.drop_next = dropped || drops;
        self.visit_expr(&m.receiver);
        self.let_name = None;
        self.drop_next = false;
        if matches!(
            method.as_str(),
            "contains" | "starts_with" | "ends_with" | "find" | "eq"
        ) {
            for a in &m.args {
                if let Expr::Lit(l) = a
                    && let Lit::Str(s) = &l.lit
                    && busy_text(&s.value())
                {
                    self.etx_test(Pos::of(s.span()), "\"Text file busy\"", None);
                }
            }
        }
        // `RetryPolicy::..().run(|| ..)`, `backoff.retry(|| ..)`: the closure is retried.
        let root = &self.body.calls[idx].root;
        let retryish = method.contains("retry")
            || root.contains("Retry")
            || root.contains("retry")
            || root.contains("Robust")
            || self.body.retry_params.contains(root);
        self.call_stack.push(idx);
        self.retry_closure += usize::from(retryish);
        for a in &m.args {
            self.visit_expr(a);
        }
        self.retry_closure -= usize::from(retryish);
        self.call_stack.pop();
    }

    /// `_ = fs::remove_file(p)`: the result thrown away, as `let _ =` does.
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        // `let dir; .. dir = tempfile::tempdir()?;`: what the name holds, as a `let`.
        if let Expr::Path(p) = &*a.left
            && let Some(id) = p.path.get_ident()
        {
            self.body.lets.push((id.to_string(), key_of(&a.right)));
        }
        self.visit_expr(&a.left);
        let wild = matches!(&*a.left, Expr::Infer(_));
        self.drop_next = wild;
        self.visit_expr(&a.right);
        self.drop_next = false;
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        let compares = matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_));
        self.cond += usize::from(compares);
        self.binary(b);
        self.cond -= usize::from(compares);
    }
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        let cond = Expr::Match(m.clone());
        self.errno_26(
            &m.expr,
            |l| {
                for arm in &m.arms {
                    l.visit_pat(&arm.pat);
                }
            },
            &cond,
        );
        self.visit_expr(&m.expr);
        for arm in &m.arms {
            self.cond += 1;
            self.visit_pat(&arm.pat);
            if let Some((_, g)) = &arm.guard {
                self.visit_expr(g);
            }
            self.cond -= 1;
            self.visit_expr(&arm.body);
        }
    }

    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        let cond = Expr::Let(l.clone());
        self.cond += 1;
        self.errno_26(&l.expr, |v| v.visit_pat(&l.pat), &cond);
        // `if let Ok(mut file) = File::create(p)`: binds the file as a `let` does.
        let bound = match &*l.pat {
            syn::Pat::TupleStruct(t) if t.elems.len() == 1 => match &t.elems[0] {
                syn::Pat::Ident(p) => Some(p.ident.to_string()),
                _ => None,
            },
            _ => None,
        };
        self.visit_pat(&l.pat);
        self.let_name = bound;
        self.visit_expr(&l.expr);
        self.let_name = None;
        self.cond -= 1;
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        // `if cfg!(windows) { .. } else { .. }`
        let os = match &*i.cond {
            Expr::Macro(m) if m.mac.path.is_ident("cfg") => os_of_cfg(&m.mac.tokens),
            Expr::Unary(u) => match &*u.expr {
                Expr::Macro(m) if m.mac.path.is_ident("cfg") => {
                    os_of_cfg(&m.mac.tokens).map(|o| match o {
                        Os::Windows => Os::NotWindows,
                        _ => Os::Windows,
                    })
                }
                _ => None,
            },
            _ => None,
        };
        self.cond += 1;
        self.visit_expr(&i.cond);
        self.cond -= 1;
        if let Some(os) = os {
            self.note_os(os);
            self.os.push(os);
        }
        self.visit_block(&i.then_branch);
        if let Some(os) = os {
            self.os.pop();
            let other = if os == Os::Windows {
                Os::NotWindows
            } else {
                Os::Windows
            };
            self.os.push(other);
        }
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
        if os.is_some() {
            self.os.pop();
        }
    }

    fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
        self.body.loops.push(Loop {
            whole: Pos::of(syn::spanned::Spanned::span(l)),
            body: Pos::of(l.body.brace_token.span.join()),
        });
        visit::visit_expr_loop(self, l);
    }

    fn visit_expr_while(&mut self, l: &'ast syn::ExprWhile) {
        self.body.loops.push(Loop {
            whole: Pos::of(syn::spanned::Spanned::span(l)),
            body: Pos::of(l.body.brace_token.span.join()),
        });
        self.cond += 1;
        self.visit_expr(&l.cond);
        self.cond -= 1;
        self.visit_block(&l.body);
    }

    fn visit_expr_for_loop(&mut self, l: &'ast syn::ExprForLoop) {
        self.body.loops.push(Loop {
            whole: Pos::of(syn::spanned::Spanned::span(l)),
            body: Pos::of(l.body.brace_token.span.join()),
        });
        visit::visit_expr_for_loop(self, l);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(last) = p.path.segments.last() {
            let name = last.ident.to_string();
            let upper = name.to_ascii_uppercase();
            if name == "ExecutableFileBusy" || (name == upper && etx_name(&upper)) {
                if self.cond == 0
                    && let Some(b) = self.binding.clone()
                {
                    // `let busy = Errno::TXTBSY.raw_os_error();`, compared later.
                    self.etx_bound(Pos::of(last.ident.span()), &name, b);
                } else {
                    self.etx(Pos::of(last.ident.span()), &name, None);
                }
            }
        }
        let t = text_of(&p.path);
        self.model.windows_aware |= t.contains("os::windows")
            || t.starts_with("winapi::")
            || t.starts_with("windows_sys::");
        visit::visit_expr_path(self, p);
    }

    /// `Some(TEXT_FILE_BUSY)` in a pattern: a constant, spelled as a binding.
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        let name = p.ident.to_string();
        if name == name.to_ascii_uppercase() && etx_name(&name) {
            self.etx(Pos::of(p.ident.span()), &name, None);
        }
        visit::visit_pat_ident(self, p);
    }

    fn visit_lit_byte_str(&mut self, s: &'ast syn::LitByteStr) {
        let v = String::from_utf8_lossy(&s.value()).into_owned();
        self.shebang(v, Pos::of(s.span()));
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.shebang(s.value(), Pos::of(s.span()));
    }

    fn visit_macro(&mut self, m: &'ast Macro) {
        self.visit_macro_body(m);
    }
}
