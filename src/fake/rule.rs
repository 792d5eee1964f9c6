//! One rule of a fake: [`RuleBuilder`] adds it (its matcher, its replies,
//! whether `verify()` may find it unused); [`RuleHandle`] is the added
//! rule, to read the calls it answered and release its hangs.

use std::fmt;
use std::sync::Arc;

use super::error::FakeError;
use super::invocation::Invocation;
use super::records;
use super::reply::{ArgMatch, Reply};
use super::state::DirState;
use super::wire::{self, AfterLast};
use crate::fault::exempt;
use crate::sys::fakes as sysf;

/// A rule being added to a fake: finish it with [`reply`](Self::reply) or
/// [`replies`](Self::replies).
///
/// ```
/// # use flakeproof::fake::{ArgMatch, Reply};
/// # let fakes = flakeproof::fake::FakeDir::new()?;
/// # let git = fakes.fake("git").install()?;
/// let fetch = git.when(ArgMatch::prefix(["fetch"])).optional().reply(Reply::success())?;
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[must_use = "a rule is added by reply() or replies()"]
pub struct RuleBuilder {
    dir: Arc<DirState>,
    /// The fake's index in its directory.
    fake: usize,
    args: ArgMatch,
    optional: bool,
}

impl fmt::Debug for RuleBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleBuilder")
            .field("fake", &self.dir.lock().list[self.fake].spec.name)
            .field("args", &self.args)
            .field("optional", &self.optional)
            .finish()
    }
}

impl RuleBuilder {
    /// A rule for fake number `fake` of `dir`, taking calls `args` match.
    pub(super) fn new(dir: Arc<DirState>, fake: usize, args: ArgMatch) -> RuleBuilder {
        RuleBuilder {
            dir,
            fake,
            args,
            optional: false,
        }
    }

    /// `verify()` does not complain if this rule answers no call.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// git.when(ArgMatch::any()).optional().reply(Reply::success())?;
    /// fakes.verify().unwrap();
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn optional(mut self) -> RuleBuilder {
        self.optional = true;
        self
    }

    /// Every matching call gets `reply`.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// let status = git.when(ArgMatch::exact(["status"])).reply(Reply::stdout("clean\n"))?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn reply(self, reply: Reply) -> Result<RuleHandle, FakeError> {
        self.replies([reply], AfterLast::RepeatLast)
    }

    /// Matching calls get these replies in turn, each exactly once however
    /// many calls run at the same time, then as `after_last` says. (Calls
    /// that start together may take them in either order: the K-th reply
    /// goes to the K-th call to claim one, which [`Invocation::step`] shows.)
    ///
    /// ```
    /// # use flakeproof::fake::{AfterLast, ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// // Two calls fail as if the index were locked, then the rule steps aside.
    /// let locked = Reply::exit(128).with_stderr("fatal: Unable to create '.git/index.lock': File exists.\n");
    /// git.when(ArgMatch::prefix(["add"])).replies([locked.clone(), locked], AfterLast::FallThrough)?;
    /// git.when(ArgMatch::prefix(["add"])).reply(Reply::success())?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn replies(
        self,
        replies: impl IntoIterator<Item = Reply>,
        after_last: AfterLast,
    ) -> Result<RuleHandle, FakeError> {
        let (name, real) = {
            let fakes = self.dir.lock();
            let f = &fakes.list[self.fake];
            (f.spec.name.clone(), f.real.clone())
        };
        let mut steps = Vec::new();
        for mut r in replies {
            r.resolve_passthrough(&name, real.as_deref())?;
            steps.push(r.0);
        }
        if steps.is_empty() {
            return Err(FakeError::invalid("a rule needs at least one reply"));
        }
        let mut fakes = self.dir.lock();
        let f = &mut fakes.list[self.fake];
        f.spec.rules.push(wire::Rule {
            matcher: self.args.0,
            steps,
            after_last,
        });
        f.optional.push(self.optional);
        let rule = f.spec.rules.len() - 1;
        // Under the lock: two rules added at once must not write specs that
        // each lack the other's.
        if let Err(e) = self.dir.write_spec(&f.spec) {
            f.spec.rules.pop();
            f.optional.pop();
            return Err(e);
        }
        Ok(RuleHandle {
            dir: self.dir.clone(),
            fake: self.fake,
            rule,
        })
    }
}

/// A rule added to a fake: which calls it answered; releasing its hangs.
///
/// ```
/// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
/// # let fakes = FakeDir::new()?;
/// # let git = fakes.fake("git").install()?;
/// let pull = git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
/// std::process::Command::new(git.path()).arg("pull").status()?;
/// assert_eq!(pull.call_count()?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RuleHandle {
    dir: Arc<DirState>,
    /// The fake's index in its directory.
    fake: usize,
    /// The rule's index in its fake.
    rule: usize,
}

impl fmt::Debug for RuleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleHandle")
            .field("fake", &self.dir.lock().list[self.fake].spec.name)
            .field("rule", &self.rule)
            .finish()
    }
}

impl RuleHandle {
    /// The calls this rule answered, in call order.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// let pull = git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
    /// assert!(pull.calls()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn calls(&self) -> Result<Vec<Invocation>, FakeError> {
        let name = self.dir.lock().list[self.fake].spec.name.clone();
        Ok(records::read(&self.dir.calls_dir())?
            .into_iter()
            .filter(|c| c.fake == name && c.rule == Some(self.rule))
            .collect())
    }

    /// How many calls this rule answered.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// let pull = git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
    /// assert_eq!(pull.call_count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn call_count(&self) -> Result<usize, FakeError> {
        Ok(self.calls()?.len())
    }

    /// Ends the hangs of this rule's replies ([`Reply::hang`]), now and
    /// from now on.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply, RunState};
    /// # use std::time::Duration;
    /// # let fakes = FakeDir::new()?;
    /// # let tool = fakes.fake("tool").install()?;
    /// let slow = tool.when(ArgMatch::any()).reply(Reply::stdout("working...").hang())?;
    /// let child = std::process::Command::new(tool.path()).stdout(std::process::Stdio::piped()).spawn()?;
    /// fakes.wait_for_calls(1, Duration::from_secs(10))?;
    /// assert_eq!(fakes.calls()?[0].state, RunState::Running);
    /// slow.release()?;
    /// let out = child.wait_with_output()?;
    /// assert_eq!(out.stdout, b"working...");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release(&self) -> Result<(), FakeError> {
        let fake = self.dir.lock().list[self.fake].spec.fake;
        let path = self
            .dir
            .dir("release")
            .join(wire::release_file(fake, self.rule as u32));
        exempt(|| sysf::touch(&path)).map_err(|e| FakeError::new("releasing a rule's hangs", e))
    }
}
