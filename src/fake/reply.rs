//! What a fake is told to do: argument matchers and replies. Plain data
//! (the shim can't run closures: it is another process), wrapping the spec
//! file's form in [`super::wire`]. ([`AfterLast`](super::AfterLast) is
//! wire's own enum, re-exported: the shim matches on it too.)

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::time::Duration;

use super::error::FakeError;
use super::wire::{self, Finish, Match, os};

/// Which calls a rule takes, by their arguments (without argv\[0\]).
/// Compared exactly, as the OS passed them: no trimming, no case folding,
/// no shell quoting.
///
/// ```
/// use flakeproof::fake::ArgMatch;
/// let _ = ArgMatch::exact(["commit", "-m", "two words"]);
/// let _ = ArgMatch::prefix(["push"]);        // push, push -f, push origin main
/// let _ = ArgMatch::contains(["--force"]);   // --force anywhere
/// let _ = ArgMatch::any();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct ArgMatch(pub(super) Match);

fn bytes<I, S>(args: I) -> Vec<Vec<u8>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    args.into_iter().map(|a| os::to_bytes(a.as_ref())).collect()
}

impl ArgMatch {
    /// Any arguments, none included.
    ///
    /// ```
    /// let _ = flakeproof::fake::ArgMatch::any();
    /// ```
    pub fn any() -> ArgMatch {
        ArgMatch(Match::Any)
    }

    /// Exactly these arguments, in this order (`exact::<[&str; 0]>([])`: none).
    ///
    /// ```
    /// let _ = flakeproof::fake::ArgMatch::exact(["status", "--short"]);
    /// ```
    pub fn exact<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> ArgMatch {
        ArgMatch(Match::Exact(bytes(args)))
    }

    /// These arguments first, then anything.
    ///
    /// ```
    /// let _ = flakeproof::fake::ArgMatch::prefix(["remote", "add"]);
    /// ```
    pub fn prefix<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> ArgMatch {
        ArgMatch(Match::Prefix(bytes(args)))
    }

    /// Each of these arguments somewhere, in any order.
    ///
    /// ```
    /// let _ = flakeproof::fake::ArgMatch::contains(["--force", "--quiet"]);
    /// ```
    pub fn contains<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> ArgMatch {
        ArgMatch(Match::Contains(bytes(args)))
    }
}

/// What a call of a fake does, in this order: wait ([`Reply::delay`]),
/// write stdout and stderr, copy stdin to stdout ([`Reply::echo_stdin`]),
/// hang until the test releases it ([`Reply::hang`]), then end: exit with a
/// code, die by a signal, or run the real program ([`Reply::passthrough`]).
///
/// ```
/// use flakeproof::fake::Reply;
/// use std::time::Duration;
/// let _ = Reply::stdout("git version 2.45.0\n");
/// let _ = Reply::exit(128).with_stderr("fatal: not a git repository\n");
/// let _ = Reply::success().delay(Duration::from_millis(50));
/// let _ = Reply::stdout("partial line").hang(); // write, then wait for release()
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct Reply(pub(super) wire::Reply);

impl Reply {
    /// Exit 0 and write nothing.
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::success();
    /// ```
    pub fn success() -> Reply {
        Reply::exit(0)
    }

    /// Exit with `code`. Windows passes all 32 bits to the caller; Unix
    /// keeps the low 8 (`exit(256)` is seen as 0), and the record shows what
    /// the caller saw.
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::exit(1);
    /// ```
    pub fn exit(code: u32) -> Reply {
        Reply(wire::Reply {
            delay_us: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            echo_stdin: false,
            hang: false,
            finish: Finish::Exit(code),
        })
    }

    /// Write `out` to stdout and exit 0.
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::stdout(b"\x00binary\xff".to_vec());
    /// ```
    pub fn stdout(out: impl Into<Vec<u8>>) -> Reply {
        Reply::success().with_stdout(out)
    }

    /// Die by signal `signal` (Unix), as a program killed by it: the caller
    /// sees no exit code. It must be a signal whose default action ends a
    /// process (not SIGCHLD, SIGCONT, SIGURG, SIGWINCH); with one that
    /// doesn't, the fake exits 97 and the record still says signaled.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let _ = flakeproof::fake::Reply::signal(9); // SIGKILL
    /// # }
    /// ```
    #[cfg(unix)]
    pub fn signal(signal: i32) -> Reply {
        let mut r = Reply::success();
        r.0.finish = Finish::Signal(signal);
        r
    }

    /// Run the real program of the same name, found on this process's
    /// `PATH` (without the fake directory) when the fake was installed, with the same arguments,
    /// stdin, stdout and stderr; end as it ends. The call is still recorded.
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::passthrough();
    /// ```
    pub fn passthrough() -> Reply {
        let mut r = Reply::success();
        // Resolved when the rule is added (`RuleBuilder`), where the name is known.
        r.0.finish = Finish::Passthrough(Vec::new());
        r
    }

    /// Also write `out` to stdout (replacing what was set).
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::exit(1).with_stdout("oops\n");
    /// ```
    pub fn with_stdout(mut self, out: impl Into<Vec<u8>>) -> Reply {
        self.0.stdout = out.into();
        self
    }

    /// Also write `err` to stderr (replacing what was set).
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::exit(2).with_stderr("usage: ...\n");
    /// ```
    pub fn with_stderr(mut self, err: impl Into<Vec<u8>>) -> Reply {
        self.0.stderr = err.into();
        self
    }

    /// Wait this long first (a slow compiler, a network call).
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::success().delay(std::time::Duration::from_millis(20));
    /// ```
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.0.delay_us = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self
    }

    /// After the output, copy stdin to stdout until it ends (a filter like
    /// `cat`).
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::success().echo_stdin();
    /// ```
    pub fn echo_stdin(mut self) -> Reply {
        self.0.echo_stdin = true;
        self
    }

    /// After the output, hang until the test releases the rule
    /// ([`RuleHandle::release`](super::RuleHandle::release),
    /// [`FakeDir::release_all`](super::FakeDir::release_all), or dropping the
    /// `FakeDir`), then end as set. With output first, this is "partial output,
    /// then hang".
    ///
    /// ```
    /// let _ = flakeproof::fake::Reply::stdout("Compiling...").hang();
    /// ```
    pub fn hang(mut self) -> Reply {
        self.0.hang = true;
        self
    }
}

impl Reply {
    /// Points a passthrough reply at `real`, the program named `name` found
    /// on `PATH` without the fake directory, once the fake's name is known.
    /// Other replies are left as they are.
    pub(super) fn resolve_passthrough(
        &mut self,
        name: &str,
        real: Option<&Path>,
    ) -> Result<(), FakeError> {
        let Finish::Passthrough(p) = &mut self.0.finish else {
            return Ok(());
        };
        if self.0.echo_stdin {
            return Err(FakeError::invalid(
                "a passthrough reply can't also echo stdin (the real program reads it)",
            ));
        }
        match real {
            Some(real) => {
                *p = os::to_bytes(real.as_os_str());
                Ok(())
            }
            None => Err(FakeError::new(
                format!("no real `{name}` on PATH (without the fake directory) to pass through to"),
                io::Error::from(io::ErrorKind::NotFound),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passthrough_is_pointed_at_the_real_program_and_others_are_left_alone() {
        let real = Path::new("/usr/bin/git");
        let mut pass = Reply::passthrough();
        pass.resolve_passthrough("git", Some(real)).unwrap();
        assert_eq!(
            pass.0.finish,
            Finish::Passthrough(os::to_bytes(real.as_os_str()))
        );
        let mut plain = Reply::exit(3);
        plain.resolve_passthrough("git", None).unwrap();
        assert_eq!(plain, Reply::exit(3));
    }

    #[test]
    fn a_passthrough_with_no_real_program_or_with_echo_is_refused() {
        let err = Reply::passthrough()
            .resolve_passthrough("git", None)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("no real `git` on PATH"), "{err}");
        let err = Reply::passthrough()
            .echo_stdin()
            .resolve_passthrough("git", Some(Path::new("/usr/bin/git")))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
