//! The budgets and `Robust`, with std's operations retried.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::classify::{Classifier, Op};
use crate::retry::backoff::Backoff;
use crate::retry::clock::Clock;
use crate::retry::{RetryEvent, RetryPolicy, RetryReport};
use crate::sys::mirror;

/// How long to keep retrying, and how fast: see the [module docs](crate::robust).
///
/// ```
/// use flakeproof::{robust::Budget, Op};
/// let policy = Budget::Antivirus.policy(Op::RemoveFile);
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Budget {
    /// 10 ms doubling to 200 ms, for 2 s: a process that just let go.
    #[default]
    ProcessExit,
    /// 10 ms doubling to 1 s, for 60 s: antivirus scanners and indexers.
    Antivirus,
}

impl Budget {
    /// The retry policy for `op` under this budget, with `op`'s classifier
    /// on this OS.
    ///
    /// ```
    /// use std::{io, sync::Arc, time::Duration};
    /// use flakeproof::{robust::Budget, Classifier, Op, retry::ManualClock};
    /// // The schedule, with every error taken as transient: 2 s in all.
    /// let clock = Arc::new(ManualClock::new());
    /// let (_, report) = Budget::ProcessExit.policy(Op::Rename)
    ///     .classifier(Classifier::new(|_| true))
    ///     .clock(clock.clone())
    ///     .run_with_report(|| Err::<(), _>(io::Error::other("held")));
    /// assert!(report.slept <= Duration::from_secs(2));
    /// assert!(report.slept > Duration::from_millis(1800));
    /// ```
    pub fn policy(self, op: Op) -> RetryPolicy {
        let (cap, budget) = match self {
            Budget::ProcessExit => (Duration::from_millis(200), Duration::from_secs(2)),
            Budget::Antivirus => (Duration::from_secs(1), Duration::from_secs(60)),
        };
        RetryPolicy::new(Classifier::for_op(op))
            .attempts(u32::MAX)
            .backoff(Backoff::exponential(Duration::from_millis(10)).max_delay(cap))
            .budget(budget)
    }
}

type Hook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// The operations with a budget, a hook and a clock of your choosing; each
/// returns its [`RetryReport`] on success.
///
/// ```
/// use flakeproof::robust::{Budget, Robust};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("a"), "x")?;
/// let ops = Robust::new()
///     .budget(Budget::Antivirus)
///     .on_retry(|ev| eprintln!("retrying after {} ({:?})", ev.error, ev.next_delay));
/// let report = ops.rename(dir.path().join("a"), dir.path().join("b"))?;
/// assert_eq!(report.attempts, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Default)]
#[must_use = "a Robust does nothing until you call an operation"]
pub struct Robust {
    budget: Budget,
    hook: Option<Hook>,
    clock: Option<Arc<dyn Clock>>,
}

impl fmt::Debug for Robust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Robust")
            .field("budget", &self.budget)
            .field("on_retry", &self.hook.is_some())
            .field("clock", &self.clock.is_some())
            .finish()
    }
}

impl Robust {
    /// [`Budget::ProcessExit`], no hook, the system clock.
    ///
    /// ```
    /// let ops = flakeproof::robust::Robust::new();
    /// # let _ = ops;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to keep retrying.
    ///
    /// ```
    /// use flakeproof::robust::{Budget, Robust};
    /// let ops = Robust::new().budget(Budget::Antivirus);
    /// # let _ = ops;
    /// ```
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// Called before each retry: log it, or let go of what holds the file
    /// (close your own handles, run a garbage collector).
    ///
    /// ```
    /// let ops = flakeproof::robust::Robust::new().on_retry(|ev| eprintln!("{}", ev.error));
    /// # let _ = ops;
    /// ```
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Sleep on `clock` (a [`crate::retry::ManualClock`] in tests).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let ops = flakeproof::robust::Robust::new().clock(Arc::new(flakeproof::retry::ManualClock::new()));
    /// # let _ = ops;
    /// ```
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    fn policy(&self, op: Op) -> RetryPolicy {
        let mut p = self.budget.policy(op);
        if let Some(hook) = &self.hook {
            let hook = hook.clone();
            p = p.on_retry(move |ev| hook(ev));
        }
        if let Some(clock) = &self.clock {
            p = p.clock(clock.clone());
        }
        p
    }

    pub(super) fn run<T>(
        &self,
        op: Op,
        f: impl FnMut() -> io::Result<T>,
    ) -> io::Result<(T, RetryReport)> {
        let (r, report) = self.policy(op).run_with_report(f);
        r.map(|v| (v, report))
    }

    /// [`std::fs::rename`], retried.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::write(d.path().join("a"), "x")?;
    /// flakeproof::robust::Robust::new().rename(d.path().join("a"), d.path().join("b"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rename(&self, from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<RetryReport> {
        let (from, to) = (from.as_ref(), to.as_ref());
        self.run(Op::Rename, || mirror::rename(from, to))
            .map(|(_, r)| r)
    }

    /// [`std::fs::remove_file`], retried. A retry that finds the file gone
    /// (an earlier attempt's delete completed late) succeeds.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::write(d.path().join("a"), "x")?;
    /// flakeproof::robust::Robust::new().remove_file(d.path().join("a"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove_file(&self, path: impl AsRef<Path>) -> io::Result<RetryReport> {
        let path = path.as_ref();
        self.remove(Op::RemoveFile, || mirror::remove_file(path))
    }

    /// [`std::fs::remove_dir_all`], retried as a whole (it resumes where
    /// the last attempt stopped). A retry that finds it gone succeeds.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::create_dir_all(d.path().join("a/b"))?;
    /// flakeproof::robust::Robust::new().remove_dir_all(d.path().join("a"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove_dir_all(&self, path: impl AsRef<Path>) -> io::Result<RetryReport> {
        let path = path.as_ref();
        self.remove(Op::RemoveDir, || mirror::remove_dir_all(path))
    }

    /// A removal, retried: NotFound on a retry means an earlier attempt's
    /// removal completed late (a pending delete), which is success.
    fn remove(&self, op: Op, mut f: impl FnMut() -> io::Result<()>) -> io::Result<RetryReport> {
        let mut first = true;
        self.run(op, || {
            let r = gone_after_first(f(), first);
            first = false;
            r
        })
        .map(|(_, r)| r)
    }

    /// [`std::fs::copy`], retried; the bytes copied and the report.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::write(d.path().join("a"), "xy")?;
    /// let (bytes, _) = flakeproof::robust::Robust::new().copy(d.path().join("a"), d.path().join("b"))?;
    /// assert_eq!(bytes, 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn copy(
        &self,
        from: impl AsRef<Path>,
        to: impl AsRef<Path>,
    ) -> io::Result<(u64, RetryReport)> {
        let (from, to) = (from.as_ref(), to.as_ref());
        self.run(Op::Copy, || mirror::copy(from, to))
    }

    /// Remove a test's scratch directory at teardown: like
    /// [`remove_dir_all`](Self::remove_dir_all), but a failure past the
    /// budget is written to stderr and returned, never a panic, so a
    /// scanner holding one file can't fail a green suite.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::create_dir_all(d.path().join("scratch/x"))?;
    /// let leftover = flakeproof::robust::Robust::new().cleanup(d.path().join("scratch"));
    /// assert!(leftover.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn cleanup(&self, dir: impl AsRef<Path>) -> Option<io::Error> {
        let dir = dir.as_ref();
        match self.remove_dir_all(dir) {
            Ok(_) => None,
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                eprintln!(
                    "warning: could not remove {} at teardown: {e}",
                    dir.display()
                );
                Some(e)
            }
        }
    }
}

/// NotFound on a retry means an earlier attempt's removal completed.
fn gone_after_first(r: io::Result<()>, first: bool) -> io::Result<()> {
    match r {
        Err(e) if !first && e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// [`std::fs::rename`], retried under [`Budget::ProcessExit`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::robust::rename(d.path().join("a"), d.path().join("b"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    Robust::new().rename(from, to).map(drop)
}

/// [`std::fs::remove_file`], retried under [`Budget::ProcessExit`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::robust::remove_file(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    Robust::new().remove_file(path).map(drop)
}

/// [`std::fs::remove_dir_all`], retried under [`Budget::ProcessExit`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir_all(d.path().join("a/b"))?;
/// flakeproof::robust::remove_dir_all(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    Robust::new().remove_dir_all(path).map(drop)
}

/// [`std::fs::copy`], retried under [`Budget::ProcessExit`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::robust::copy(d.path().join("a"), d.path().join("b"))?, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    Robust::new().copy(from, to).map(|(n, _)| n)
}

/// [`rename`] from async code (feature `tokio`): on tokio's blocking pool,
/// its waits there, the plan in force on the polling thread carried in.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::robust::rename_async(d.path().join("a"), d.path().join("b")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio")]
pub async fn rename_async(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    crate::blocking::on_blocking_pool(move || rename(from, to)).await
}

/// [`remove_file`] from async code (feature `tokio`), as [`rename_async`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::robust::remove_file_async(d.path().join("a")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio")]
pub async fn remove_file_async(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    crate::blocking::on_blocking_pool(move || remove_file(path)).await
}

/// [`remove_dir_all`] from async code (feature `tokio`), as [`rename_async`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir_all(d.path().join("a/b"))?;
/// flakeproof::robust::remove_dir_all_async(d.path().join("a")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio")]
pub async fn remove_dir_all_async(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    crate::blocking::on_blocking_pool(move || remove_dir_all(path)).await
}

/// [`copy`] from async code (feature `tokio`), as [`rename_async`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::robust::copy_async(d.path().join("a"), d.path().join("b")).await?, 1);
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio")]
pub async fn copy_async(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    crate::blocking::on_blocking_pool(move || copy(from, to)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operations of the budget table in `budgets.md`, with the
    /// operation whose classifier each uses and its default schedule.
    fn table_rows() -> Vec<String> {
        use crate::classify::{Os, is_transient};
        use crate::{errno, retry::ManualClock};
        let process_exit = "[`Budget::ProcessExit`]: 10 ms doubling to 200 ms, 2 s";
        // The schedule of RetryPolicy's default, measured, not written down.
        let (_, r) = RetryPolicy::for_op(Op::Spawn)
            .classifier(Classifier::new(|_| true))
            .clock(Arc::new(ManualClock::new()))
            .run_with_report(|| Err::<(), _>(io::Error::other("x")));
        let default = format!(
            "[`RetryPolicy`] default: {} attempts, 1 ms doubling to 100 ms ({} ms of sleep)",
            r.attempts,
            r.slept.as_millis()
        );
        // The spawns' default: measured too, on a clock that never waits.
        let (_, r) = RetryPolicy::for_spawn()
            .classifier(Classifier::new(|_| true))
            .clock(Arc::new(ManualClock::new()))
            .run_with_report(|| Err::<(), _>(io::Error::from(io::ErrorKind::ExecutableFileBusy)));
        assert!(r.elapsed <= RetryPolicy::SPAWN_BUDGET && r.attempts > 10);
        let spawn = format!(
            "[`RetryPolicy::for_spawn`]: 1 ms doubling to 100 ms, as many attempts as fit in {} s; on Linux each wait ends when the program's writer closes it",
            RetryPolicy::SPAWN_BUDGET.as_secs()
        );
        let rows: [(&str, Op, &str); 8] = [
            (
                "`rename`; the renames of `write_atomic` and `replace_with_backup`",
                Op::Rename,
                process_exit,
            ),
            ("`remove_file`", Op::RemoveFile, process_exit),
            ("`remove_dir_all`, `cleanup`", Op::RemoveDir, process_exit),
            ("`copy`", Op::Copy, process_exit),
            (
                "`sync`, its open (a failed fsync is never retried)",
                Op::Open,
                process_exit,
            ),
            (
                "stub installs and `replace_executable`: creating the temp file",
                Op::OpenWrite,
                &default,
            ),
            (
                "stub installs and `replace_executable`: the rename",
                Op::Rename,
                &default,
            ),
            (
                "`spawn_retrying`, `output_retrying`, `status_retrying`",
                Op::Spawn,
                &spawn,
            ),
        ];
        let errors = |os: Os, op: Op| {
            let mut seen = Vec::new();
            let names: Vec<&str> = errno::names(os)
                .into_iter()
                .filter(|n| {
                    let code = errno::code_of(os, n).unwrap().0;
                    let new = !seen.contains(&code);
                    seen.push(code);
                    new && is_transient(os, op, code)
                })
                .collect();
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        };
        rows.iter()
            .map(|(what, op, budget)| {
                format!(
                    "| {what} | {} | {} | {} | {budget} |",
                    errors(Os::Linux, *op),
                    errors(Os::MacOs, *op),
                    errors(Os::Windows, *op)
                )
            })
            .collect()
    }

    #[test]
    fn the_budget_table_in_the_docs_is_the_codes() {
        let doc = include_str!("budgets.md");
        let rows = table_rows();
        let stale: Vec<&String> = rows.iter().filter(|r| !doc.contains(r.as_str())).collect();
        assert!(
            stale.is_empty(),
            "budgets.md is out of date; its rows should be:\n{}",
            rows.join("\n")
        );
    }

    #[test]
    fn not_found_is_success_only_after_the_first_attempt() {
        let gone = || Err(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(
            gone_after_first(gone(), true).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert!(gone_after_first(gone(), false).is_ok());
        let busy = io::Error::from_raw_os_error(16);
        assert_eq!(
            gone_after_first(Err(busy), false)
                .unwrap_err()
                .raw_os_error(),
            Some(16)
        );
    }
}
