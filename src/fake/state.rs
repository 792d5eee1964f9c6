//! What a [`FakeDir`](super::FakeDir) shares with its handles
//! ([`Fake`](super::Fake), [`RuleBuilder`](super::RuleBuilder),
//! [`RuleHandle`](super::RuleHandle)): where the directory is, and each
//! fake's spec, behind one lock; and writing a spec to the directory.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use super::error::FakeError;
use super::shim::Source;
use super::wire::Spec;
use crate::fault::exempt;
use crate::sys::fakes as sysf;

/// One installed fake, as this process knows it.
pub(super) struct FakeState {
    /// What its shim reads: rules, replies, what to record.
    pub(super) spec: Spec,
    /// For each rule, whether `verify()` lets it go unused.
    pub(super) optional: Vec<bool>,
    /// `bin/NAME`.
    pub(super) path: PathBuf,
    /// The real program of the same name, for passthrough.
    pub(super) real: Option<PathBuf>,
}

/// The fakes of a directory, and how they get the shim.
pub(super) struct Fakes {
    /// Decided by the first placement (the self-test's).
    pub(super) source: Option<Source>,
    /// In the order installed: a fake's index here is its number on the wire.
    pub(super) list: Vec<FakeState>,
}

/// One fake directory, shared by its `FakeDir` and every handle to it.
pub(super) struct DirState {
    pub(super) root: PathBuf,
    pub(super) bin: PathBuf,
    fakes: Mutex<Fakes>,
    /// Held through a whole `install`, so two at once can't take one index.
    pub(super) installing: Mutex<()>,
}

impl DirState {
    pub(super) fn new(root: PathBuf, bin: PathBuf) -> DirState {
        DirState {
            root,
            bin,
            fakes: Mutex::new(Fakes {
                source: None,
                list: Vec::new(),
            }),
            installing: Mutex::new(()),
        }
    }

    /// The fakes. A panic elsewhere while holding the lock left them whole
    /// (each change is one push or pop), so a poisoned lock is used as is.
    pub(super) fn lock(&self) -> MutexGuard<'_, Fakes> {
        self.fakes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `root/sub`: `spec`, `calls`, `steps`, `release`.
    pub(super) fn dir(&self, sub: &str) -> PathBuf {
        self.root.join(sub)
    }

    /// The records' directory, `calls/`.
    pub(super) fn calls_dir(&self) -> PathBuf {
        self.dir("calls")
    }

    /// Writes `spec` whole over the fake's old one: a shim starting at the
    /// same moment reads the old spec or the new, never a mix.
    pub(super) fn write_spec(&self, spec: &Spec) -> Result<(), FakeError> {
        let name = &spec.name;
        exempt(|| sysf::write_replacing(&self.dir("spec"), name, &spec.encode()))
            .map_err(|e| FakeError::new(format!("writing the spec of {name:?}"), e))
    }
}
