//! Which OS errors are worth another attempt. [`Classifier`] is the one entry
//! point: [`Classifier::for_op`] gives the table for an operation ([`Op`]) on
//! this OS, [`Classifier::on`] the same table as another OS ([`Os`]) spells
//! it, [`Classifier::etxtbsy`] only "Text file busy", [`Classifier::new`]
//! your own rule.
//!
//! ```
//! use std::io;
//! use flakeproof::classify::Os;
//! use flakeproof::{Classifier, Op};
//!
//! let sharing_violation = io::Error::from_raw_os_error(32);
//! assert!(Classifier::for_op(Op::Rename).on(Os::Windows).is_transient(&sharing_violation));
//! assert!(!Classifier::for_op(Op::Rename).on(Os::Linux).is_transient(&sharing_violation));
//! ```
//!
//! Nothing here calls the OS: the tables take the OS as an argument, so the
//! Windows and macOS rows are unit-tested on Linux like the Linux ones.

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::errno;
pub use crate::os::Os;

/// A kind of OS operation: what classifiers and fault plans key on.
///
/// ```
/// use flakeproof::{Classifier, Op};
/// let busy = std::io::Error::from_raw_os_error(26);
/// # #[cfg(unix)] {
/// assert!(Classifier::for_op(Op::Spawn).is_transient(&busy));
/// assert!(!Classifier::for_op(Op::Rename).is_transient(&busy));
/// # }
/// assert_eq!(Op::from_name("remove_file"), Some(Op::RemoveFile));
/// assert_eq!(Op::RemoveFile.name(), "remove_file");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Op {
    /// Opening an existing file for reading.
    Open,
    /// Creating, or opening for writing.
    OpenWrite,
    /// Writing to an open file.
    Write,
    /// Closing a file that was open for writing (NFS reports deferred write
    /// errors here).
    Close,
    /// fsync / FlushFileBuffers, of a file or a directory.
    Sync,
    /// Reading metadata: stat, fstat, statfs.
    Metadata,
    /// Renaming over a destination.
    Rename,
    /// Copying a file.
    Copy,
    /// Removing a file.
    RemoveFile,
    /// Removing a directory.
    RemoveDir,
    /// Creating a directory.
    CreateDir,
    /// Changing permissions.
    SetPermissions,
    /// Taking, probing or waiting for a lock (flock, leases, the drain barrier).
    Lock,
    /// This process starting a program (fork/exec, posix_spawn, CreateProcess).
    Spawn,
    /// A process of a child tree under a plan (a child that already runs its
    /// program, a grandchild) exec'ing a program; see
    /// [`Command::faults`](crate::process::Command::faults). This process's
    /// own spawns, and a child's first exec (the same event), are
    /// [`Op::Spawn`]; a `spawn` rule matches both.
    Exec,
}

impl Op {
    /// Every operation, in declaration order.
    ///
    /// ```
    /// assert!(flakeproof::Op::ALL.contains(&flakeproof::Op::Exec));
    /// ```
    pub const ALL: [Op; 15] = [
        Op::Open,
        Op::OpenWrite,
        Op::Write,
        Op::Close,
        Op::Sync,
        Op::Metadata,
        Op::Rename,
        Op::Copy,
        Op::RemoveFile,
        Op::RemoveDir,
        Op::CreateDir,
        Op::SetPermissions,
        Op::Lock,
        Op::Spawn,
        Op::Exec,
    ];

    /// The name fault plans use for it (`open_write`, `remove_dir` ...).
    ///
    /// ```
    /// assert_eq!(flakeproof::Op::OpenWrite.name(), "open_write");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::OpenWrite => "open_write",
            Op::Write => "write",
            Op::Close => "close",
            Op::Sync => "sync",
            Op::Metadata => "metadata",
            Op::Rename => "rename",
            Op::Copy => "copy",
            Op::RemoveFile => "remove_file",
            Op::RemoveDir => "remove_dir",
            Op::CreateDir => "create_dir",
            Op::SetPermissions => "set_permissions",
            Op::Lock => "lock",
            Op::Spawn => "spawn",
            Op::Exec => "exec",
        }
    }

    /// The operation a plan's name stands for.
    ///
    /// ```
    /// assert_eq!(flakeproof::Op::from_name("exec"), Some(flakeproof::Op::Exec));
    /// assert_eq!(flakeproof::Op::from_name("spwan"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Is the raw OS error `raw`, from `op` on `os`, worth retrying? The table
/// is documented on [`Classifier::for_op`].
pub(crate) fn is_transient(os: Os, op: Op, raw: i32) -> bool {
    use Op::*;
    use errno::windows::*;
    const TXTBSY: i32 = errno::linux::ETXTBSY; // 26 on every Unix family
    match os {
        // flakeproof: allow(hand-rolled-etxtbsy-retry) flakeproof's own shared ETXTBSY classifier
        Os::Linux | Os::OtherUnix => raw == TXTBSY && matches!(op, Spawn | Exec | OpenWrite | Copy),
        Os::MacOs => match op {
            // flakeproof: allow(hand-rolled-etxtbsy-retry) flakeproof's own shared ETXTBSY classifier
            Spawn | Exec | OpenWrite => raw == TXTBSY,
            // flakeproof: allow(hand-rolled-etxtbsy-retry) flakeproof's own shared ETXTBSY classifier
            Copy => raw == TXTBSY || raw == errno::macos::EPERM,
            _ => false,
        },
        Os::Windows => match op {
            Open | OpenWrite | Rename | Copy | RemoveFile | SetPermissions | CreateDir => matches!(
                raw,
                ERROR_ACCESS_DENIED
                    | ERROR_SHARING_VIOLATION
                    | ERROR_LOCK_VIOLATION
                    | ERROR_DELETE_PENDING
            ),
            RemoveDir => matches!(
                raw,
                ERROR_ACCESS_DENIED
                    | ERROR_SHARING_VIOLATION
                    | ERROR_LOCK_VIOLATION
                    | ERROR_DIR_NOT_EMPTY
                    | ERROR_DELETE_PENDING
            ),
            Write | Lock => raw == ERROR_LOCK_VIOLATION,
            Spawn | Exec => raw == ERROR_SHARING_VIOLATION,
            Close | Sync | Metadata => false,
        },
        Os::Other => false,
    }
}

/// Does `os` refuse to rename a file over a program that is running (while
/// letting the running program itself be renamed)? Windows does: the image
/// of a running `.exe` can't be replaced or deleted, only moved. Unix
/// renames over a running program freely: it keeps its inode.
pub(crate) fn running_targets_refuse_rename(os: Os) -> bool {
    os == Os::Windows
}

/// Is `err`, from renaming over an existing file on `os`, what a running
/// program as the target gives? ERROR_ACCESS_DENIED on Windows (seen under
/// Wine 8.0 too: rename over a running `.exe` fails with 5, moving it
/// aside succeeds). A scanner or a pending delete gives it as well; moving
/// the target aside is right for those too.
pub(crate) fn is_running_target(os: Os, err: &io::Error) -> bool {
    running_targets_refuse_rename(os)
        && err.raw_os_error() == Some(errno::windows::ERROR_ACCESS_DENIED)
}

/// Is `err` the "Text file busy" error (ETXTBSY) on `os`?
///
/// True for a raw errno 26 on a Unix family, and for any error whose kind is
/// [`io::ErrorKind::ExecutableFileBusy`] (so errors built from the kind count).
/// On Windows raw 26 is `ERROR_NOT_DOS_DISK`, not ETXTBSY, hence the `os`.
///
/// Note rustup's test harness checked `kind() == Other && raw == 26`, which is
/// never true since Rust 1.83 maps 26 to `ExecutableFileBusy`: its retry never
/// fired. This function is tested against both spellings.
pub(crate) fn is_etxtbsy(os: Os, err: &io::Error) -> bool {
    match err.raw_os_error() {
        // A raw code means what its OS says, whatever kind this build maps it to.
        // flakeproof: allow(hand-rolled-etxtbsy-retry) flakeproof's own shared ETXTBSY classifier
        Some(raw) => os.is_unix() && raw == errno::linux::ETXTBSY,
        // flakeproof: allow(hand-rolled-etxtbsy-retry) flakeproof's own shared ETXTBSY classifier
        None => err.kind() == io::ErrorKind::ExecutableFileBusy,
    }
}

/// Is `err`, returned by `op` on `os`, worth retrying? [`is_transient`] on the
/// raw code; an error with no raw code is transient only if it is a
/// synthesized ETXTBSY on an operation where ETXTBSY is transient.
pub(crate) fn is_transient_error(os: Os, op: Op, err: &io::Error) -> bool {
    match err.raw_os_error() {
        Some(raw) => is_transient(os, op, raw),
        None => is_etxtbsy(os, err) && is_transient(os, op, errno::linux::ETXTBSY),
    }
}

/// Decides which errors are transient (worth retrying): the one entry point
/// to the tables (see the [module docs](self)).
///
/// ```
/// use std::io;
/// use flakeproof::classify::Os;
/// use flakeproof::{Classifier, Op};
///
/// let busy = io::Error::from_raw_os_error(26);
/// assert!(Classifier::etxtbsy().on(Os::Linux).is_transient(&busy));
/// assert!(Classifier::for_op(Op::Rename).on(Os::Windows)
///     .is_transient(&io::Error::from_raw_os_error(32)));
/// let mine = Classifier::new(|e: &io::Error| e.kind() == io::ErrorKind::Interrupted);
/// assert!(mine.is_transient(&io::Error::from(io::ErrorKind::Interrupted)));
/// ```
#[derive(Clone)]
pub struct Classifier(Repr);

#[derive(Clone)]
enum Repr {
    Etxtbsy(Os),
    Table(Os, Op),
    Custom(Arc<dyn Fn(&io::Error) -> bool + Send + Sync>),
}

impl Classifier {
    /// Only "Text file busy" (ETXTBSY), as this OS spells it.
    ///
    /// True for a raw errno 26 on a Unix family, and for any error whose kind
    /// is [`io::ErrorKind::ExecutableFileBusy`] (so errors built from the kind
    /// count). On Windows raw 26 is `ERROR_NOT_DOS_DISK`, not ETXTBSY (see
    /// [`on`](Self::on)).
    ///
    /// rustup's test harness checked `kind() == Other && raw == 26`, which is
    /// never true since Rust 1.83 maps 26 to `ExecutableFileBusy`: its retry
    /// never fired. This classifier is tested against both spellings.
    ///
    /// ```
    /// use std::io;
    /// let c = flakeproof::Classifier::etxtbsy();
    /// assert!(c.is_transient(&io::Error::from(io::ErrorKind::ExecutableFileBusy)));
    /// assert!(!c.is_transient(&io::Error::from_raw_os_error(16))); // EBUSY: not this one
    /// ```
    pub fn etxtbsy() -> Self {
        Classifier(Repr::Etxtbsy(Os::CURRENT))
    }

    /// The table for `op` on this OS. The tables, and where each row comes
    /// from:
    ///
    /// | OS | operation | transient codes | why |
    /// |---|---|---|---|
    /// | Unix | `Spawn`, `Exec`, `OpenWrite`, `Copy` | ETXTBSY (26) | a forked sibling still holds a writable copy of the file (golang/go#22315, rust-lang/rust#114554), or the program is still running |
    /// | macOS | `Copy` | EPERM (1) | copying over a just-built executable (DioxusLabs/dioxus#5275) |
    /// | Windows | `Open`, `OpenWrite`, `Rename`, `Copy`, `RemoveFile`, `SetPermissions`, `CreateDir` | 5, 32, 33, 303 | antivirus, indexers and pending deletes hold the file for a moment |
    /// | Windows | `RemoveDir` | 5, 32, 33, 145, 303 | an entry's delete is still pending |
    /// | Windows | `Write`, `Lock` | 33 | a byte-range lock held by someone else |
    /// | Windows | `Spawn`, `Exec` | 32 | the executable is still open by its writer or a scanner |
    ///
    /// Everything else is permanent. In particular POSIX EACCES and ENOENT are
    /// never transient: retrying them only delays a real error.
    ///
    ///
    /// ```
    /// use flakeproof::{errno, Classifier, Op};
    /// let c = Classifier::for_op(Op::Open);
    /// assert!(!c.is_transient(&std::io::Error::from_raw_os_error(errno::linux::ENOENT))); // never
    /// ```
    pub fn for_op(op: Op) -> Self {
        Classifier(Repr::Table(Os::CURRENT, op))
    }

    /// The same classifier as `os` would apply: its table, its spelling of
    /// ETXTBSY. A rule of your own ([`new`](Self::new)) is left as it is.
    /// Lets Linux tests check the Windows and macOS rows.
    ///
    /// ```
    /// use std::io;
    /// use flakeproof::classify::Os;
    /// use flakeproof::{errno, Classifier, Op};
    /// let eperm = io::Error::from_raw_os_error(errno::macos::EPERM);
    /// assert!(Classifier::for_op(Op::Copy).on(Os::MacOs).is_transient(&eperm)); // after a build
    /// assert!(!Classifier::for_op(Op::Copy).on(Os::Linux).is_transient(&eperm));
    /// // Raw 26 is ERROR_NOT_DOS_DISK on Windows, not "Text file busy".
    /// let raw26 = io::Error::from_raw_os_error(26);
    /// assert!(!Classifier::etxtbsy().on(Os::Windows).is_transient(&raw26));
    /// ```
    #[must_use]
    pub fn on(self, os: Os) -> Self {
        Classifier(match self.0 {
            Repr::Etxtbsy(_) => Repr::Etxtbsy(os),
            Repr::Table(_, op) => Repr::Table(os, op),
            custom @ Repr::Custom(_) => custom,
        })
    }

    /// Your own rule.
    ///
    /// ```
    /// let c = flakeproof::Classifier::new(|e| e.raw_os_error() == Some(16));
    /// assert!(c.is_transient(&std::io::Error::from_raw_os_error(16)));
    /// ```
    pub fn new(f: impl Fn(&io::Error) -> bool + Send + Sync + 'static) -> Self {
        Classifier(Repr::Custom(Arc::new(f)))
    }

    /// Is `err` worth another attempt?
    ///
    /// ```
    /// let c = flakeproof::Classifier::for_op(flakeproof::Op::Spawn);
    /// assert!(!c.is_transient(&std::io::Error::other("not from the OS")));
    /// ```
    pub fn is_transient(&self, err: &io::Error) -> bool {
        match &self.0 {
            Repr::Etxtbsy(os) => is_etxtbsy(*os, err),
            Repr::Table(os, op) => is_transient_error(*os, *op, err),
            Repr::Custom(f) => f(err),
        }
    }
}

impl fmt::Debug for Classifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Etxtbsy(os) => write!(f, "Classifier::etxtbsy().on({os:?})"),
            Repr::Table(os, op) => write!(f, "Classifier::for_op({op:?}).on({os:?})"),
            Repr::Custom(_) => f.write_str("Classifier::new(..)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIXES: [Os; 3] = [Os::Linux, Os::MacOs, Os::OtherUnix];

    /// The transient set for (os, op), computed by probing codes 0..400.
    fn transient_set(os: Os, op: Op) -> Vec<i32> {
        (0..400).filter(|&raw| is_transient(os, op, raw)).collect()
    }

    #[test]
    fn op_all_is_in_declaration_order() {
        // The fault record indexes its totals by `op as usize`.
        for (i, op) in Op::ALL.into_iter().enumerate() {
            assert_eq!(op as usize, i, "{op:?}");
        }
    }

    #[test]
    fn op_names_round_trip_and_are_unique() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
        }
        let mut names: Vec<_> = Op::ALL.iter().map(|o| o.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Op::ALL.len());
    }

    #[test]
    fn linux_retries_only_etxtbsy_and_only_where_a_writer_can_collide() {
        for op in Op::ALL {
            let want: &[i32] = match op {
                Op::Spawn | Op::Exec | Op::OpenWrite | Op::Copy => &[26],
                _ => &[],
            };
            assert_eq!(transient_set(Os::Linux, op), want, "{op:?}");
            assert_eq!(transient_set(Os::OtherUnix, op), want, "{op:?}");
        }
    }

    #[test]
    fn macos_adds_eperm_on_copy_only() {
        for op in Op::ALL {
            let want: &[i32] = match op {
                Op::Spawn | Op::Exec | Op::OpenWrite => &[26],
                Op::Copy => &[1, 26],
                _ => &[],
            };
            assert_eq!(transient_set(Os::MacOs, op), want, "{op:?}");
        }
    }

    #[test]
    fn windows_transient_sets_per_operation() {
        for op in Op::ALL {
            let want: &[i32] = match op {
                Op::RemoveDir => &[5, 32, 33, 145, 303],
                Op::Write | Op::Lock => &[33],
                Op::Spawn | Op::Exec => &[32],
                Op::Sync | Op::Close | Op::Metadata => &[],
                _ => &[5, 32, 33, 303],
            };
            assert_eq!(transient_set(Os::Windows, op), want, "{op:?}");
        }
    }

    #[test]
    fn posix_eacces_enoent_eperm_ebusy_are_never_transient_on_linux() {
        for os in UNIXES {
            for op in Op::ALL {
                assert!(!is_transient(os, op, errno::linux::EACCES), "{os:?} {op:?}");
                assert!(!is_transient(os, op, errno::linux::ENOENT), "{os:?} {op:?}");
                assert!(!is_transient(os, op, errno::linux::EBUSY), "{os:?} {op:?}");
            }
        }
        for op in Op::ALL {
            assert!(!is_transient(Os::Linux, op, errno::linux::EPERM), "{op:?}");
            assert!(!is_transient(Os::Other, op, 26), "{op:?}");
        }
    }

    #[test]
    fn etxtbsy_is_recognised_by_raw_code_and_by_kind_but_not_on_windows_raw() {
        let raw = io::Error::from_raw_os_error(26);
        let by_kind = io::Error::from(io::ErrorKind::ExecutableFileBusy);
        let custom = io::Error::new(io::ErrorKind::ExecutableFileBusy, "busy");
        for os in UNIXES {
            assert!(is_etxtbsy(os, &raw));
            assert!(is_etxtbsy(os, &by_kind));
            assert!(is_etxtbsy(os, &custom));
        }
        // 26 is ERROR_NOT_DOS_DISK on Windows.
        assert!(!is_etxtbsy(Os::Windows, &raw));
        assert!(!is_etxtbsy(Os::Linux, &io::Error::from_raw_os_error(16)));
        assert!(!is_etxtbsy(Os::Linux, &io::Error::other("text file busy")));
    }

    #[test]
    fn rustups_condition_never_holds_on_current_rust() {
        // rustup retried when kind() == Other && raw == 26: dead code since 1.83.
        let e = io::Error::from_raw_os_error(26);
        #[cfg(unix)]
        assert_eq!(e.kind(), io::ErrorKind::ExecutableFileBusy);
        assert!(!(e.kind() == io::ErrorKind::Other && e.raw_os_error() == Some(26)));
    }

    #[test]
    fn synthesized_errors_without_raw_code() {
        let busy = io::Error::from(io::ErrorKind::ExecutableFileBusy);
        assert!(is_transient_error(Os::Linux, Op::Spawn, &busy));
        assert!(is_transient_error(Os::Linux, Op::Exec, &busy));
        assert!(!is_transient_error(Os::Linux, Op::Rename, &busy));
        assert!(!is_transient_error(Os::Windows, Op::Spawn, &busy));
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(!is_transient_error(Os::Windows, Op::Rename, &denied));
    }
}
