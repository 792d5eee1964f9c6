//! What the fakes recorded, typed; and the report `verify()` gives when
//! calls went unanswered or rules unused. Pure: the records are read by
//! [`super::dir`], and only decoded and compared here.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::PathBuf;

use super::wire::{self, os, Match};

/// How a call of a fake ended, or that it has not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
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
/// ```
/// use flakeproof::fake::{ArgMatch, FakeDir, Outcome, Reply};
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
/// assert_eq!(call.outcome, Outcome::Exited(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Call {
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
    /// How it ended.
    pub outcome: Outcome,
}

impl Call {
    pub(super) fn new(number: u64, start: wire::Start, outcome: Outcome) -> Call {
        Call {
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
            outcome,
        }
    }

    /// The arguments as text (invalid UTF-8 replaced by U+FFFD): for
    /// asserting on ordinary arguments. Compare [`Call::args`] for exactness.
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

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {}", self.number, self.fake)?;
        for a in &self.args {
            write!(f, " {a:?}")?;
        }
        match self.outcome {
            Outcome::Exited(c) => write!(f, " -> exit {c}"),
            Outcome::Signaled(s) => write!(f, " -> signal {s}"),
            Outcome::Running => write!(f, " -> running"),
            Outcome::Killed => write!(f, " -> killed"),
        }
    }
}

/// A rule as `verify()` shows it: which fake, its index, what it matches.
pub(super) fn describe(m: &Match) -> String {
    let list = |v: &[Vec<u8>]| {
        v.iter()
            .map(|a| format!("{:?}", os::from_bytes(a.clone())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match m {
        Match::Any => "any arguments".into(),
        Match::Exact(v) => format!("exactly [{}]", list(v)),
        Match::Prefix(v) => format!("starting [{}]", list(v)),
        Match::Contains(v) => format!("containing [{}]", list(v)),
    }
}

/// How far a call's arguments are from what a rule asks: argument-level
/// edits (insert, remove, replace one argument). 0 means it matches.
pub(super) fn distance(m: &Match, args: &[Vec<u8>]) -> usize {
    match m {
        Match::Any => 0,
        Match::Exact(want) => edits(want, args),
        // Compare the prefix with the same number of leading arguments
        // (or all of them, if fewer).
        Match::Prefix(want) => edits(want, &args[..want.len().min(args.len())]),
        Match::Contains(want) => want.iter().filter(|w| !args.contains(w)).count(),
    }
}

fn edits(a: &[Vec<u8>], b: &[Vec<u8>]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What [`FakeDir::verify`](super::FakeDir::verify) found wrong: calls no
/// rule answered (each with the rule closest to it) and rules no call used.
/// Its `Display` is the full report, meant to be a test's failure message.
///
/// ```
/// use flakeproof::fake::{ArgMatch, FakeDir, Reply};
/// let fakes = FakeDir::new()?;
/// let git = fakes.fake("git").install()?;
/// git.when(ArgMatch::exact(["status", "--short"])).reply(Reply::success())?;
/// std::process::Command::new(git.path()).args(["status", "-s"]).status()?;
/// let unmet = fakes.verify().unwrap_err();
/// assert_eq!(unmet.unexpected.len(), 1);
/// assert_eq!(unmet.unused.len(), 1);
/// let report = unmet.to_string();
/// assert!(report.contains(r#"closest: git rule 0, exactly ["status", "--short"] (1 argument off)"#), "{report}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Unmet {
    /// Calls no rule answered, in call order.
    pub unexpected: Vec<Call>,
    /// Rules that answered no call, as `(fake, rule index)`.
    pub unused: Vec<(String, usize)>,
    pub(super) report: String,
    /// The OS error, when the records could not be read at all.
    pub(super) io: Option<std::io::Error>,
}

impl Unmet {
    /// The OS error that kept the records from being read, with its
    /// `raw_os_error()` and `kind()`; `None` when they were read and found
    /// wanting.
    ///
    /// ```
    /// # use flakeproof::fake::FakeDir;
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;   // no rules
    /// std::process::Command::new(tool.path()).status()?;
    /// assert!(fakes.verify().unwrap_err().io_error().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn io_error(&self) -> Option<&std::io::Error> {
        self.io.as_ref()
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

impl std::error::Error for Unmet {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io.as_ref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn distance_counts_argument_edits() {
        let exact = Match::Exact(a(&["status", "--short"]));
        assert_eq!(distance(&exact, &a(&["status", "--short"])), 0);
        assert_eq!(distance(&exact, &a(&["status", "-s"])), 1);
        assert_eq!(distance(&exact, &a(&["status"])), 1);
        assert_eq!(distance(&exact, &a(&[])), 2);
        let prefix = Match::Prefix(a(&["push"]));
        assert_eq!(distance(&prefix, &a(&["push", "-f"])), 0);
        assert_eq!(distance(&prefix, &a(&["pull", "-f"])), 1);
        let contains = Match::Contains(a(&["-f", "-q"]));
        assert_eq!(distance(&contains, &a(&["x", "-q"])), 1);
    }
}
