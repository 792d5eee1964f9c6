//! Who holds a lock: the holder's record (pid, host, command, since), kept in
//! a sidecar file because on Windows a locked file's bytes can't be read by
//! others, and what a waiter is told about it.

use std::fmt;
use std::path::Path;

use crate::sys;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The size of a holder record on disk.
const RECORD_SIZE: usize = 1024;

/// Who holds (or last held) a lock, from its sidecar record.
///
/// ```
/// use flakeproof::ArtifactLock;
/// let dir = tempfile::tempdir()?;
/// let locks = ArtifactLock::new(dir.path());
/// let _held = locks.lock("app")?;
/// let holder = locks.holder("app")?.expect("recorded");
/// assert_eq!(holder.pid, std::process::id());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Holder {
    /// Its process id.
    pub pid: u32,
    /// Its command line, as it was started.
    pub command: String,
    /// The machine it runs on.
    pub host: String,
    /// When it took the lock.
    pub since: SystemTime,
}

impl Holder {
    pub(super) fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            host: sys::lock::host_name(),
            since: SystemTime::now(),
        }
    }

    /// The record, padded with newlines to [`RECORD_SIZE`] bytes, so that
    /// writing it over an older one in place leaves nothing of the older
    /// (the command is cut to fit).
    pub(super) fn to_record(&self) -> Vec<u8> {
        let since = self.since.duration_since(UNIX_EPOCH).unwrap_or_default();
        let head = format!(
            "pid={}\nhost={}\nsince={}.{:09}\ncommand=",
            self.pid,
            self.host.replace('\n', " "),
            since.as_secs(),
            since.subsec_nanos(),
        );
        let mut record = head.into_bytes();
        // The command goes last: it is the only field that may hold anything.
        let command = self.command.replace('\n', " ");
        let room = RECORD_SIZE.saturating_sub(record.len() + 1);
        let mut cut = command.len().min(room);
        while !command.is_char_boundary(cut) {
            cut -= 1;
        }
        record.extend_from_slice(&command.as_bytes()[..cut]);
        record.resize(RECORD_SIZE.max(record.len()), b'\n');
        record
    }

    pub(super) fn from_record(text: &str) -> Option<Holder> {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_owned)
        };
        let (secs, nanos) = field("since")?
            .split_once('.')
            .map(|(s, n)| (s.to_owned(), n.to_owned()))?;
        let since = UNIX_EPOCH + Duration::new(secs.parse().ok()?, nanos.parse().ok()?);
        Some(Holder {
            pid: field("pid")?.parse().ok()?,
            command: field("command").unwrap_or_default(),
            host: field("host").unwrap_or_default(),
            since,
        })
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if !self.host.is_empty() {
            write!(f, " on {}", self.host)?;
        }
        if !self.command.is_empty() {
            write!(f, " (`{}`)", self.command)?;
        }
        let age = SystemTime::now()
            .duration_since(self.since)
            .unwrap_or_default();
        write!(f, ", holding it for {:.1} s", age.as_secs_f64())
    }
}

/// What an [`ArtifactLock::on_wait`](crate::ArtifactLock::on_wait) callback is told, once, when a lock
/// is held by someone else and the caller has to wait.
///
/// ```
/// use flakeproof::ArtifactLock;
/// let dir = tempfile::tempdir()?;
/// let locks = ArtifactLock::new(dir.path())
///     .on_wait(|w| eprintln!("Blocking waiting for file lock on {} ({})", w.key, w.holder_text()));
/// let _g = locks.lock("canister")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Waiting<'a> {
    /// The key.
    pub key: &'a str,
    /// Its lock file.
    pub lock_file: &'a Path,
    /// Who holds it, as last recorded (absent if no holder ever recorded
    /// itself, or the record could not be read).
    pub holder: Option<Holder>,
}

impl Waiting<'_> {
    /// The holder for a message, or "unknown holder".
    ///
    /// ```
    /// # use flakeproof::ArtifactLock;
    /// # let dir = tempfile::tempdir()?;
    /// # let locks = ArtifactLock::new(dir.path()).on_wait(|w| println!("{}", w.holder_text()));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn holder_text(&self) -> String {
        self.holder
            .as_ref()
            .map_or_else(|| "unknown holder".to_owned(), Holder::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_round_trips_and_tolerates_odd_commands() {
        let h = Holder {
            pid: 42,
            command: "build --out=a=b\nsecond line".into(),
            host: "ci-7".into(),
            since: UNIX_EPOCH + Duration::new(1_700_000_000, 5),
        };
        let record = h.to_record();
        assert_eq!(record.len(), RECORD_SIZE);
        let back = Holder::from_record(std::str::from_utf8(&record).unwrap()).unwrap();
        assert_eq!(back.pid, 42);
        assert_eq!(back.command, "build --out=a=b second line");
        assert_eq!(back.since, h.since);
        assert!(Holder::from_record("garbage").is_none());
        assert!(
            back.to_string()
                .starts_with("pid 42 on ci-7 (`build --out=a=b second line`)")
        );
    }
}
