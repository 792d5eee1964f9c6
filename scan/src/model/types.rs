//! What the walk writes down for the rules: per function its calls,
//! `let`s, shebang literals, ETXTBSY check tokens and loops; per call the
//! OS it is built for.

use crate::keys::{Key, Pos};

/// Which OS a piece of code is built for, by its cfg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Os {
    Any,
    Windows,
    NotWindows,
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// Last path segment, or the method's name.
    pub name: String,
    /// The segment before it (`fs` in `std::fs::write`), "" for methods.
    pub qual: String,
    pub method: bool,
    /// A method's receiver.
    pub recv: Option<Key>,
    /// A method chain's root, `OpenOptions::new` or a variable's name, and
    /// the methods between (name, args): `.write(true).mode(0o755)`.
    pub root: String,
    pub root_args: Vec<Key>,
    pub chain: Vec<(String, Vec<Key>)>,
    pub args: Vec<Key>,
    /// The callee's token (the method name, the path's last segment).
    pub at: Pos,
    /// Where the whole call starts: for a chain spread over lines
    /// (`fs::OpenOptions::new()` … `.open(&p)`), its first line, where a
    /// finding on it is reported.
    pub start: Pos,
    pub os: Os,
    /// `let _ = call`, `call.ok()`, `call.unwrap_or(..)`: a failure is dropped.
    pub dropped: bool,
    /// The variable `let x = call...` binds.
    pub bound_to: Option<String>,
    /// Inside a closure given to a call named like a retry.
    pub in_retry_closure: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Shebang {
    pub text: String,
    pub at: Pos,
    /// The calls whose arguments hold it, innermost last.
    pub calls: Vec<usize>,
    /// The variable a `let` binds it to.
    pub bound_to: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct EtxToken {
    pub at: Pos,
    /// `26`, `ETXTBSY`, `ExecutableFileBusy`, `"Text file busy"`.
    pub what: String,
    /// The same condition also asks `kind() == ErrorKind::Other`.
    pub with_other_kind: bool,
    /// Inside a closure given to a call named like a retry.
    pub in_retry_closure: bool,
    /// Bound by a `let` (`let busy = Errno::TXTBSY.raw_os_error()`), to be
    /// compared where the name is used.
    pub bound_to: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Loop {
    pub whole: Pos,
    pub body: Pos,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Body {
    pub name: String,
    pub params: Vec<String>,
    /// Parameters typed as a retry policy (see `syntax::retry_params`).
    pub retry_params: Vec<String>,
    pub is_test: bool,
    pub calls: Vec<Call>,
    pub lets: Vec<(String, Key)>,
    pub shebangs: Vec<Shebang>,
    pub etx: Vec<EtxToken>,
    pub loops: Vec<Loop>,
}

#[derive(Debug, Default)]
pub(crate) struct Model {
    pub bodies: Vec<Body>,
    /// Mentions Windows somewhere: a cfg, `cfg!`, `std::os::windows`, winapi.
    pub windows_aware: bool,
    /// Constants and statics whose value holds a `#!` script, by name:
    /// `fs::write(&p, SCRIPT)` writes one.
    pub script_consts: Vec<String>,
}
