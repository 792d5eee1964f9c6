//! One walk over a file's syntax tree, writing down per function what the
//! rules need, in source order: calls (with their method chains and keys),
//! `let` bindings, shebang literals, ETXTBSY check tokens, loops; and per
//! call the cfg context (built for Windows, for Unix only) and whether its
//! result is dropped. The rules then read these lists, never the tree.

use syn::visit::Visit;

mod checks;
mod macros;
mod syntax;
mod tokens;
mod types;
mod walker;

pub(crate) use types::{Body, Call, EtxToken, Model, Os, Shebang};

use walker::Walker;

pub(crate) fn build(file: &syn::File, test_file: bool) -> Model {
    let mut w = Walker {
        model: Model::default(),
        body: Body::default(),
        os: vec![Os::Any],
        test: vec![test_file],
        call_stack: Vec::new(),
        let_name: None,
        binding: None,
        retry_closure: 0,
        in_const: false,
        drop_next: false,
        cond: 0,
        asserting: 0,
    };
    w.visit_file(file);
    let top = std::mem::take(&mut w.body);
    w.model.bodies.push(top);
    w.model
}
