//! [`FakeError`]: the one error type of the fake module, keeping the OS
//! error (its `raw_os_error()` and `kind()`) under a line that says what
//! the fake directory was doing.

use std::fmt;
use std::io;

/// An error from a fake directory: what it was doing, and the OS error
/// (its `raw_os_error()` and `kind()` kept) or the reason.
///
/// ```
/// use flakeproof::fake::FakeDir;
/// let fakes = FakeDir::new()?;
/// let err = fakes.fake("a/b").install().unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[derive(Debug)]
pub struct FakeError {
    what: String,
    source: io::Error,
}

impl FakeError {
    /// `source` (from the OS, or made here with a kind) while doing `what`.
    pub(super) fn new(what: impl Into<String>, source: io::Error) -> FakeError {
        FakeError {
            what: what.into(),
            source,
        }
    }

    /// A caller's mistake: `InvalidInput`, and the message is `what` alone.
    pub(super) fn invalid(what: impl Into<String>) -> FakeError {
        let what = what.into();
        FakeError {
            source: io::Error::new(io::ErrorKind::InvalidInput, what.clone()),
            what,
        }
    }

    /// The error's kind: the OS error's when one caused it.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let err = fakes.fake("").install().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The OS error code, when the OS gave the error.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert_eq!(fakes.fake("").install().unwrap_err().raw_os_error(), None);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }

    /// The underlying I/O error, as the OS gave it.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let err = fakes.fake("..").install().unwrap_err();
    /// assert_eq!(err.io_error().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn io_error(&self) -> &io::Error {
        &self.source
    }

    /// The I/O error alone, for a type that carries it on (`Unmet`).
    pub(super) fn into_io_error(self) -> io::Error {
        self.source
    }
}

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An `invalid` error's source repeats `what`: say it once.
        if self.source.raw_os_error().is_none() && self.source.to_string() == self.what {
            f.write_str(&self.what)
        } else {
            write!(f, "{}: {}", self.what, self.source)
        }
    }
}

impl std::error::Error for FakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<FakeError> for io::Error {
    /// An OS error comes back as itself, with its `raw_os_error()` and
    /// `kind()`; any other keeps its kind and carries the whole message.
    fn from(e: FakeError) -> io::Error {
        match e.source.raw_os_error() {
            Some(_) => e.source,
            None => io::Error::new(e.kind(), e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    /// ENOENT's number on every OS flakeproof builds for (Windows' too:
    /// ERROR_FILE_NOT_FOUND is 2).
    const ENOENT: i32 = 2;

    #[test]
    fn an_os_error_keeps_its_code_and_kind_through_every_door() {
        let e = FakeError::new(
            "reading the records in /x",
            io::Error::from_raw_os_error(ENOENT),
        );
        assert_eq!(e.raw_os_error(), Some(ENOENT));
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(e.io_error().raw_os_error(), Some(ENOENT));
        let shown = e.to_string();
        assert!(shown.starts_with("reading the records in /x: "), "{shown}");
        let source = e.source().expect("a source");
        let source = source.downcast_ref::<io::Error>().expect("the io::Error");
        assert_eq!(source.raw_os_error(), Some(ENOENT));
        // Into io::Error: the OS's own error, not one wrapping it, so a
        // classifier that reads raw_os_error() still sees the code.
        let back = io::Error::from(e);
        assert_eq!(back.raw_os_error(), Some(ENOENT));
        assert_eq!(back.kind(), io::ErrorKind::NotFound);
        assert!(back.get_ref().is_none(), "wrapped: {back:?}");
    }

    #[test]
    fn an_error_made_here_keeps_its_kind_and_whole_message_and_says_it_once() {
        let e = FakeError::invalid("fake name \"a/b\" holds a separator");
        assert_eq!(e.raw_os_error(), None);
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "fake name \"a/b\" holds a separator");
        let back = io::Error::from(e);
        assert_eq!(back.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(back.raw_os_error(), None);
        assert_eq!(back.to_string(), "fake name \"a/b\" holds a separator");

        let timed = FakeError::new("waited 1s for 2 calls", io::ErrorKind::TimedOut.into());
        assert_eq!(timed.kind(), io::ErrorKind::TimedOut);
        assert!(timed.to_string().starts_with("waited 1s for 2 calls: "));
        assert_eq!(timed.into_io_error().kind(), io::ErrorKind::TimedOut);
    }
}
