//! One fake command: [`FakeBuilder`] says what it records and what an
//! unexpected call gets, and installs it; [`Fake`] is the installed fake,
//! to add rules to and read the calls of.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::error::FakeError;
use super::invocation::Invocation;
use super::records;
use super::reply::{ArgMatch, Reply};
use super::rule::RuleBuilder;
use super::shim::{self, EXE, SELF_TEST};
use super::state::{DirState, FakeState};
use super::wire::{self, Spec};
use crate::fault::exempt;
use crate::os::Os;
use crate::sys::fakes as sysf;

/// A fake being configured: which environment variables to record, whether
/// to capture stdin, what an unexpected call gets. Nothing exists on disk
/// until [`install`](FakeBuilder::install).
///
/// ```
/// # let fakes = flakeproof::fake::FakeDir::new()?;
/// let ssh = fakes
///     .fake("ssh")
///     .record_env(["SSH_AUTH_SOCK"])
///     .capture_stdin(1 << 20)
///     .install()?;
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[must_use = "a fake exists only once installed"]
pub struct FakeBuilder {
    dir: Arc<DirState>,
    name: String,
    env_keys: Vec<OsString>,
    stdin_cap: Option<u64>,
    otherwise: Option<Reply>,
}

impl fmt::Debug for FakeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeBuilder")
            .field("name", &self.name)
            .finish()
    }
}

/// Why `name` can't be a fake's name: the crate's file-name rules for this
/// OS, and the self-test's prefix.
fn invalid_name(name: &str) -> Option<&'static str> {
    match crate::names::validate_name(Os::CURRENT, name) {
        Err(why) => Some(why),
        Ok(()) if name.starts_with(SELF_TEST) => Some("is reserved for the self-test"),
        Ok(()) => None,
    }
}

impl FakeBuilder {
    /// A fake named `name` in `dir`; a `.exe` the caller added on Windows
    /// is dropped (the file gets one anyway).
    pub(super) fn new(dir: Arc<DirState>, name: &str) -> FakeBuilder {
        let mut name = name.to_string();
        if !EXE.is_empty() && name.to_ascii_lowercase().ends_with(EXE) {
            name.truncate(name.len() - EXE.len());
        }
        FakeBuilder {
            dir,
            name,
            env_keys: Vec::new(),
            stdin_cap: None,
            otherwise: None,
        }
    }

    /// Record these environment variables in each call (absent and empty
    /// told apart).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let _ = fakes.fake("cargo").record_env(["RUSTFLAGS", "CARGO_TARGET_DIR"]);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn record_env<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(
        mut self,
        keys: I,
    ) -> FakeBuilder {
        self.env_keys
            .extend(keys.into_iter().map(|k| k.as_ref().to_owned()));
        self
    }

    /// Read each call's stdin to its end and keep up to `cap` bytes of it
    /// in the record ([`Invocation::stdin`]). Without this, a fake leaves
    /// stdin alone (unless a reply echoes it).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let _ = fakes.fake("patch").capture_stdin(64 * 1024);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn capture_stdin(mut self, cap: usize) -> FakeBuilder {
        self.stdin_cap = Some(cap as u64);
        self
    }

    /// What a call no rule takes gets, instead of the default (a message on
    /// stderr and exit 97). It is still recorded as unexpected.
    ///
    /// ```
    /// # use flakeproof::fake::Reply;
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let _ = fakes.fake("git").otherwise(Reply::passthrough());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn otherwise(mut self, reply: Reply) -> FakeBuilder {
        self.otherwise = Some(reply);
        self
    }

    /// Puts the fake in the directory. Fails with `InvalidInput` on a name
    /// that is empty, holds a path separator or is taken, leaving nothing
    /// behind.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let git = fakes.fake("git").install()?;
    /// assert!(fakes.fake("git").install().is_err()); // taken
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn install(self) -> Result<Fake, FakeError> {
        let name = self.name.clone();
        if let Some(why) = invalid_name(&name) {
            return Err(FakeError::invalid(format!("fake name {name:?} {why}")));
        }
        let dir = &self.dir;
        let _installing = dir.installing.lock().unwrap_or_else(|p| p.into_inner());
        let index = {
            let fakes = dir.lock();
            if fakes.list.iter().any(|f| f.spec.name == name) {
                return Err(FakeError::invalid(format!(
                    "a fake named {name:?} exists already"
                )));
            }
            fakes.list.len() as u32
        };
        let real = std::env::var_os("PATH").and_then(|p| sysf::find_program(&name, &p, &dir.bin));
        let mut otherwise = self.otherwise.clone().unwrap_or_else(|| {
            Reply::exit(wire::UNEXPECTED_EXIT).with_stderr(format!(
                "flakeproof fake `{name}`: no rule takes this call (FakeDir::verify lists it)\n"
            ))
        });
        otherwise.resolve_passthrough(&name, real.as_deref())?;
        let spec = Spec {
            fake: index,
            name: name.clone(),
            rules: Vec::new(),
            otherwise: otherwise.0,
            env_keys: self
                .env_keys
                .iter()
                .map(|k| wire::os::to_bytes(k))
                .collect(),
            stdin_cap: self.stdin_cap,
        };
        // The spec first: a shim started the moment its name appears must
        // find it.
        dir.write_spec(&spec)?;
        let mut fakes = dir.lock();
        let placed = exempt(|| shim::place(&dir.root, &dir.bin, &mut fakes.source, &name));
        let path = placed.inspect_err(|_| {
            let _ = exempt(|| sysf::remove(&dir.dir("spec").join(&name)));
        })?;
        fakes.list.push(FakeState {
            spec,
            optional: Vec::new(),
            path,
            real,
        });
        Ok(Fake {
            dir: dir.clone(),
            index: index as usize,
        })
    }
}

/// An installed fake: add rules to it, read its calls.
///
/// ```
/// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
/// let fakes = FakeDir::new()?;
/// let rustc = fakes.fake("rustc").install()?;
/// rustc.when(ArgMatch::exact(["--version"])).reply(Reply::stdout("rustc 1.0.0\n"))?;
/// let out = std::process::Command::new(rustc.path()).arg("--version").output()?;
/// assert_eq!(out.stdout, b"rustc 1.0.0\n");
/// assert_eq!(rustc.calls()?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Fake {
    dir: Arc<DirState>,
    index: usize,
}

impl fmt::Debug for Fake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fake").field("path", &self.path()).finish()
    }
}

impl Fake {
    /// Its name.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert_eq!(fakes.fake("git").install()?.name(), "git");
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn name(&self) -> String {
        self.dir.lock().list[self.index].spec.name.clone()
    }

    /// Its path (`bin/NAME`, `bin\NAME.exe` on Windows).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.fake("git").install()?.path().is_file());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn path(&self) -> PathBuf {
        self.dir.lock().list[self.index].path.clone()
    }

    /// Starts a rule for calls whose arguments match. Rules are tried in
    /// the order they were added; the first that matches (and has a reply
    /// left) answers.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let git = fakes.fake("git").install()?;
    /// git.when(ArgMatch::prefix(["push"])).reply(Reply::exit(1))?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn when(&self, args: ArgMatch) -> RuleBuilder {
        RuleBuilder::new(self.dir.clone(), self.index, args)
    }

    /// Its calls, in call order.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.fake("git").install()?.calls()?.is_empty());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn calls(&self) -> Result<Vec<Invocation>, FakeError> {
        let name = self.name();
        Ok(records::read(&self.dir.calls_dir())?
            .into_iter()
            .filter(|c| c.fake == name)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_name_must_be_a_file_name_and_not_the_self_tests() {
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "flakeproof-self-test",
            "flakeproof-self-test-1",
        ] {
            assert!(invalid_name(bad).is_some(), "{bad:?} accepted");
        }
        assert_eq!(
            invalid_name("flakeproof-self-test-x"),
            Some("is reserved for the self-test")
        );
        for good in ["git", "cc", "x86_64-linux-gnu-gcc", "flakeproof-selftest"] {
            assert_eq!(invalid_name(good), None, "{good:?} refused");
        }
    }
}
