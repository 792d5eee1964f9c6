//! [`Invocation`]: one call of a fake, as its record tells it, and its
//! [`RunState`]. Pure: [`super::records`] reads the files and builds these.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;

use super::wire::{self, os};

/// Where a call of a fake stands: still running, or how it ended.
///
/// (Not `fault::Outcome`, which is what a fault plan did to an operation.)
///
/// ```
/// use flakeproof::fake::{ArgMatch, FakeDir, Reply, RunState};
/// let fakes = FakeDir::new()?;
/// let tool = fakes.fake("tool").install()?;
/// tool.when(ArgMatch::any()).reply(Reply::exit(3))?;
/// std::process::Command::new(tool.path()).status()?;
/// assert_eq!(fakes.calls()?[0].state, RunState::Exited(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunState {
    /// It exited with this code (as its caller saw it: the low 8 bits on Unix).
    Exited(u32),
    /// It died by this signal (Unix): a [`Reply::signal`](super::Reply::signal),
    /// or a passthrough program that did.
    Signaled(i32),
    /// Still running (delayed, hanging, passing through).
    Running,
    /// Ended without finishing: killed from outside before its end record
    /// (the lock it held while running is free and nothing says how it ended).
    Killed,
}

/// One call of a fake, as the fake saw it.
///
/// (Not `fault::Call`, which is one file or process operation a fault plan
/// saw.)
///
/// ```
/// use flakeproof::fake::{ArgMatch, FakeDir, Reply, RunState};
/// let fakes = FakeDir::new()?;
/// let git = fakes.fake("git").record_env(["GIT_DIR"]).install()?;
/// git.when(ArgMatch::any()).reply(Reply::stdout("ok\n"))?;
/// let out = std::process::Command::new(git.path())
///     .args(["commit", "-m", "two words"])
///     .env("GIT_DIR", "")
///     .output()?;
/// assert_eq!(out.stdout, b"ok\n");
/// let call = &fakes.calls()?[0];
/// assert_eq!(call.args_lossy(), ["commit", "-m", "two words"]);
/// assert_eq!(call.env_var("GIT_DIR"), Some(Some("".as_ref())));  // set, empty
/// assert_eq!(call.state, RunState::Exited(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invocation {
    /// Its place among all calls of the directory's fakes: 1, 2, 3, ...
    /// with no gaps, in the order the calls claimed a number (after choosing
    /// their rule, before doing anything else).
    pub number: u64,
    /// The fake's name.
    pub fake: String,
    /// argv\[0\], as the caller passed it (a shell passes the name it
    /// looked up; `Command` passes the program it was given).
    pub argv0: OsString,
    /// The arguments after argv\[0\], exactly.
    pub args: Vec<OsString>,
    /// The working directory it ran in (`None` if it could not tell).
    pub cwd: Option<PathBuf>,
    /// The variables named by [`FakeBuilder::record_env`](super::FakeBuilder::record_env),
    /// in that order: `None` when unset, which is not the same as empty.
    pub env: Vec<(OsString, Option<OsString>)>,
    /// What it read from stdin, when [`FakeBuilder::capture_stdin`](super::FakeBuilder::capture_stdin)
    /// asked (up to the cap), once it has finished reading.
    pub stdin: Option<Vec<u8>>,
    /// How many bytes of stdin it read: more than `stdin` holds if the cap
    /// was hit.
    pub stdin_len: Option<u64>,
    /// Its process id.
    pub pid: u32,
    /// The index of the rule that answered (in the order rules were added
    /// to the fake), or `None` for an unexpected call.
    pub rule: Option<usize>,
    /// Which reply of the rule's sequence it got (1-based); `None` for a
    /// rule with a single reply repeated, which counts no steps.
    pub step: Option<u64>,
    /// Whether it still runs, and how it ended.
    pub state: RunState,
}

impl Invocation {
    /// The call numbered `number`, from its start record.
    pub(super) fn new(number: u64, start: wire::Start, state: RunState) -> Invocation {
        Invocation {
            number,
            fake: start.name,
            argv0: os::from_bytes(start.argv0),
            args: start.args.into_iter().map(os::from_bytes).collect(),
            cwd: start.cwd.map(|c| os::from_bytes(c).into()),
            env: start
                .env
                .into_iter()
                .map(|(k, v)| (os::from_bytes(k), v.map(os::from_bytes)))
                .collect(),
            stdin: None,
            stdin_len: None,
            pid: start.pid,
            rule: start.taken.map(|t| t.rule as usize),
            step: start.taken.map(|t| t.step).filter(|&k| k > 0),
            state,
        }
    }

    /// The arguments as text (invalid UTF-8 replaced by U+FFFD): for
    /// asserting on ordinary arguments. Compare [`Invocation::args`] for exactness.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// # let tool = fakes.fake("tool").install()?;
    /// # tool.when(ArgMatch::any()).reply(Reply::success())?;
    /// # std::process::Command::new(tool.path()).arg("x").status()?;
    /// assert_eq!(fakes.calls()?[0].args_lossy(), ["x"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn args_lossy(&self) -> Vec<String> {
        self.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    /// A recorded variable: `None` if it was not asked for, `Some(None)` if
    /// it was unset in the call, `Some(Some(value))` otherwise.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").record_env(["HOME"]).install()?;
    /// # tool.when(ArgMatch::any()).reply(Reply::success())?;
    /// std::process::Command::new(tool.path()).env_remove("HOME").status()?;
    /// assert_eq!(fakes.calls()?[0].env_var("HOME"), Some(None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn env_var(&self, key: impl AsRef<OsStr>) -> Option<Option<&OsStr>> {
        let key = key.as_ref();
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }

    /// Whether no rule answered it.
    ///
    /// ```
    /// # use flakeproof::fake::FakeDir;
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;   // no rules
    /// std::process::Command::new(tool.path()).status()?;
    /// assert!(fakes.calls()?[0].is_unexpected());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_unexpected(&self) -> bool {
        self.rule.is_none()
    }
}

impl fmt::Display for Invocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {}", self.number, self.fake)?;
        for a in &self.args {
            write!(f, " {a:?}")?;
        }
        match self.state {
            RunState::Exited(c) => write!(f, " -> exit {c}"),
            RunState::Signaled(s) => write!(f, " -> signal {s}"),
            RunState::Running => write!(f, " -> running"),
            RunState::Killed => write!(f, " -> killed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As the shim encodes it: UTF-16 units on Windows.
    fn b(s: &str) -> Vec<u8> {
        os::to_bytes(OsStr::new(s))
    }

    fn start(taken: Option<wire::Taken>) -> wire::Start {
        wire::Start {
            name: "git".into(),
            argv0: b("/fakes/bin/git"),
            args: vec![b("commit"), b("two words")],
            cwd: Some(b("/repo")),
            env: vec![(b("GIT_DIR"), None), (b("HOME"), Some(vec![]))],
            pid: 4242,
            taken,
            live: String::new(),
        }
    }

    #[test]
    fn a_start_record_becomes_an_invocation_field_for_field() {
        let call = Invocation::new(
            7,
            start(Some(wire::Taken { rule: 2, step: 5 })),
            RunState::Exited(1),
        );
        assert_eq!(call.number, 7);
        assert_eq!(call.fake, "git");
        assert_eq!(call.argv0, OsString::from("/fakes/bin/git"));
        assert_eq!(call.args_lossy(), ["commit", "two words"]);
        assert_eq!(call.cwd, Some(PathBuf::from("/repo")));
        assert_eq!(call.env_var("GIT_DIR"), Some(None));
        assert_eq!(call.env_var("HOME"), Some(Some(OsStr::new(""))));
        assert_eq!(call.env_var("PATH"), None, "not asked for");
        assert_eq!(call.pid, 4242);
        assert_eq!((call.rule, call.step), (Some(2), Some(5)));
        assert!(!call.is_unexpected());
        assert_eq!(call.to_string(), r#"#7 git "commit" "two words" -> exit 1"#);
    }

    #[test]
    fn a_rule_that_claims_no_steps_shows_none_and_no_rule_is_unexpected() {
        // Step 0 on the wire: a single reply repeated, which counts no steps.
        let call = Invocation::new(
            1,
            start(Some(wire::Taken { rule: 0, step: 0 })),
            RunState::Running,
        );
        assert_eq!((call.rule, call.step), (Some(0), None));
        assert!(call.to_string().ends_with("-> running"));
        let call = Invocation::new(2, start(None), RunState::Killed);
        assert_eq!((call.rule, call.step), (None, None));
        assert!(call.is_unexpected());
        assert!(call.to_string().ends_with("-> killed"));
    }
}
