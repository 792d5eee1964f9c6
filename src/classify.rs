//! Which OS errors are transient, as pure functions of (OS, operation, raw code).
//!
//! Nothing here calls the OS: the tables take the OS as an argument, so the
//! Windows and macOS rows are unit-tested on Linux like the Linux ones.
//! Raw codes are spelled per OS family in [`errno`] because `libc`'s constants
//! only exist for the target being compiled.

use std::io;

/// Raw error numbers per OS family, as `io::Error::raw_os_error()` reports them.
///
/// ```
/// use flakeproof::errno;
/// assert_eq!(errno::linux::ETXTBSY, 26);
/// assert_eq!(errno::windows::ERROR_SHARING_VIOLATION, 32);
/// ```
pub mod errno {
    /// Linux errno values (asm-generic).
    ///
    /// ```
    /// assert_eq!(flakeproof::errno::linux::EBUSY, 16);
    /// ```
    pub mod linux {
        /// Operation not permitted.
        pub const EPERM: i32 = 1;
        /// No such file or directory.
        pub const ENOENT: i32 = 2;
        /// Permission denied.
        pub const EACCES: i32 = 13;
        /// Device or resource busy.
        pub const EBUSY: i32 = 16;
        /// Text file busy: exec of a file open for writing, or the reverse.
        pub const ETXTBSY: i32 = 26;
    }
    /// macOS (Darwin) errno values.
    ///
    /// ```
    /// assert_eq!(flakeproof::errno::macos::EPERM, 1);
    /// ```
    pub mod macos {
        /// Operation not permitted.
        pub const EPERM: i32 = 1;
        /// No such file or directory.
        pub const ENOENT: i32 = 2;
        /// Permission denied.
        pub const EACCES: i32 = 13;
        /// Device or resource busy.
        pub const EBUSY: i32 = 16;
        /// Text file busy.
        pub const ETXTBSY: i32 = 26;
    }
    /// Win32 error codes (`GetLastError`), which is what std reports on Windows.
    ///
    /// ```
    /// assert_eq!(flakeproof::errno::windows::ERROR_DELETE_PENDING, 303);
    /// ```
    pub mod windows {
        /// Also what antivirus scanners and pending deletes surface as.
        pub const ERROR_ACCESS_DENIED: i32 = 5;
        /// Another handle was opened without the needed share mode.
        pub const ERROR_SHARING_VIOLATION: i32 = 32;
        /// A byte-range lock is held by someone else.
        pub const ERROR_LOCK_VIOLATION: i32 = 33;
        /// A directory still holds an entry whose delete is pending.
        pub const ERROR_DIR_NOT_EMPTY: i32 = 145;
        /// The file is being deleted; it vanishes when its last handle closes.
        pub const ERROR_DELETE_PENDING: i32 = 303;
    }
}

/// An operating-system family, as an argument to the classification tables.
///
/// ```
/// use flakeproof::Os;
/// #[cfg(target_os = "linux")]
/// assert_eq!(Os::CURRENT, Os::Linux);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    /// Linux and Android.
    Linux,
    /// macOS and the other Apple systems.
    MacOs,
    /// Windows.
    Windows,
    /// Any other Unix (the BSDs, illumos, ...): ETXTBSY is 26 there too.
    OtherUnix,
    /// Anything else: nothing is classified transient.
    Other,
}

impl Os {
    /// The family this crate was compiled for.
    pub const CURRENT: Os = if cfg!(any(target_os = "linux", target_os = "android")) {
        Os::Linux
    } else if cfg!(target_vendor = "apple") {
        Os::MacOs
    } else if cfg!(windows) {
        Os::Windows
    } else if cfg!(unix) {
        Os::OtherUnix
    } else {
        Os::Other
    };

    fn is_unix(self) -> bool {
        matches!(self, Os::Linux | Os::MacOs | Os::OtherUnix)
    }
}

/// A kind of OS operation: what a classifier (and, later, a fault plan) keys on.
///
/// ```
/// use flakeproof::{is_transient, Op, Os};
/// assert!(is_transient(Os::Linux, Op::Spawn, 26));
/// assert!(!is_transient(Os::Linux, Op::Rename, 26));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Opening an existing file for reading.
    Open,
    /// Creating, or opening for writing.
    OpenWrite,
    /// Writing to an open file.
    Write,
    /// fsync / FlushFileBuffers, of a file or a directory.
    Sync,
    /// Renaming over a destination.
    Rename,
    /// Copying a file (which rewrites the destination in place).
    Copy,
    /// Removing a file.
    RemoveFile,
    /// Removing a directory.
    RemoveDir,
    /// Creating a directory.
    CreateDir,
    /// Changing permissions.
    SetPermissions,
    /// Taking or waiting for a lock.
    Lock,
    /// Starting a process (fork/exec, posix_spawn, CreateProcess).
    Spawn,
}

/// Is the raw OS error `raw`, from `op` on `os`, worth retrying?
///
/// The tables, and where each row comes from:
///
/// | OS | operation | transient codes | why |
/// |---|---|---|---|
/// | Unix | `Spawn`, `OpenWrite`, `Copy` | ETXTBSY (26) | a forked sibling still holds a writable copy of the file (golang/go#22315, rust-lang/rust#114554), or the program is still running |
/// | macOS | `Copy` | EPERM (1) | copying over a just-built executable (DioxusLabs/dioxus#5275) |
/// | Windows | `Open`, `OpenWrite`, `Rename`, `Copy`, `RemoveFile`, `SetPermissions`, `CreateDir` | 5, 32, 33, 303 | antivirus, indexers and pending deletes hold the file for a moment |
/// | Windows | `RemoveDir` | 5, 32, 33, 145, 303 | an entry's delete is still pending |
/// | Windows | `Write`, `Lock` | 33 | a byte-range lock held by someone else |
/// | Windows | `Spawn` | 32 | the executable is still open by its writer or a scanner |
///
/// Everything else is permanent. In particular POSIX EACCES and ENOENT are
/// never transient: retrying them only delays a real error.
///
/// ```
/// use flakeproof::{errno, is_transient, Op, Os};
/// assert!(is_transient(Os::Windows, Op::Rename, errno::windows::ERROR_SHARING_VIOLATION));
/// assert!(is_transient(Os::MacOs, Op::Copy, errno::macos::EPERM));
/// assert!(!is_transient(Os::Linux, Op::Copy, errno::linux::EPERM));
/// assert!(!is_transient(Os::Linux, Op::Open, errno::linux::EACCES));
/// ```
pub fn is_transient(os: Os, op: Op, raw: i32) -> bool {
    use errno::windows::*;
    use Op::*;
    const TXTBSY: i32 = errno::linux::ETXTBSY; // 26 on every Unix family
    match os {
        Os::Linux | Os::OtherUnix => raw == TXTBSY && matches!(op, Spawn | OpenWrite | Copy),
        Os::MacOs => match op {
            Spawn | OpenWrite => raw == TXTBSY,
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
            Spawn => raw == ERROR_SHARING_VIOLATION,
            Sync => false,
        },
        Os::Other => false,
    }
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
///
/// ```
/// use std::io;
/// use flakeproof::{is_etxtbsy, Os};
/// assert!(is_etxtbsy(Os::Linux, &io::Error::from_raw_os_error(26)));
/// assert!(is_etxtbsy(Os::Windows, &io::Error::from(io::ErrorKind::ExecutableFileBusy)));
/// assert!(!is_etxtbsy(Os::Linux, &io::Error::from_raw_os_error(16)));
/// ```
pub fn is_etxtbsy(os: Os, err: &io::Error) -> bool {
    match err.raw_os_error() {
        // A raw code means what its OS says, whatever kind this build maps it to.
        Some(raw) => os.is_unix() && raw == errno::linux::ETXTBSY,
        None => err.kind() == io::ErrorKind::ExecutableFileBusy,
    }
}

/// Is `err`, returned by `op` on `os`, worth retrying? [`is_transient`] on the
/// raw code; an error with no raw code is transient only if it is a
/// synthesized ETXTBSY on a spawn-like operation.
///
/// ```
/// use std::io;
/// use flakeproof::{is_transient_error, Op, Os};
/// let busy = io::Error::from_raw_os_error(26);
/// assert!(is_transient_error(Os::Linux, Op::Spawn, &busy));
/// assert!(!is_transient_error(Os::Linux, Op::Spawn, &io::Error::other("no")));
/// ```
pub fn is_transient_error(os: Os, op: Op, err: &io::Error) -> bool {
    match err.raw_os_error() {
        Some(raw) => is_transient(os, op, raw),
        None => {
            is_etxtbsy(os, err)
                && matches!(op, Op::Spawn | Op::OpenWrite | Op::Copy)
                && os.is_unix()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_OPS: [Op; 12] = [
        Op::Open,
        Op::OpenWrite,
        Op::Write,
        Op::Sync,
        Op::Rename,
        Op::Copy,
        Op::RemoveFile,
        Op::RemoveDir,
        Op::CreateDir,
        Op::SetPermissions,
        Op::Lock,
        Op::Spawn,
    ];
    const UNIXES: [Os; 3] = [Os::Linux, Os::MacOs, Os::OtherUnix];

    /// The transient set for (os, op), computed by probing codes 0..400.
    fn transient_set(os: Os, op: Op) -> Vec<i32> {
        (0..400).filter(|&raw| is_transient(os, op, raw)).collect()
    }

    #[test]
    fn linux_retries_only_etxtbsy_and_only_where_a_writer_can_collide() {
        for op in ALL_OPS {
            let want: &[i32] = match op {
                Op::Spawn | Op::OpenWrite | Op::Copy => &[26],
                _ => &[],
            };
            assert_eq!(transient_set(Os::Linux, op), want, "{op:?}");
            assert_eq!(transient_set(Os::OtherUnix, op), want, "{op:?}");
        }
    }

    #[test]
    fn macos_adds_eperm_on_copy_only() {
        for op in ALL_OPS {
            let want: &[i32] = match op {
                Op::Spawn | Op::OpenWrite => &[26],
                Op::Copy => &[1, 26],
                _ => &[],
            };
            assert_eq!(transient_set(Os::MacOs, op), want, "{op:?}");
        }
    }

    #[test]
    fn windows_transient_sets_per_operation() {
        for op in ALL_OPS {
            let want: &[i32] = match op {
                Op::RemoveDir => &[5, 32, 33, 145, 303],
                Op::Write | Op::Lock => &[33],
                Op::Spawn => &[32],
                Op::Sync => &[],
                _ => &[5, 32, 33, 303],
            };
            assert_eq!(transient_set(Os::Windows, op), want, "{op:?}");
        }
    }

    #[test]
    fn posix_eacces_enoent_eperm_ebusy_are_never_transient_on_linux() {
        for os in UNIXES {
            for op in ALL_OPS {
                assert!(!is_transient(os, op, errno::linux::EACCES), "{os:?} {op:?}");
                assert!(!is_transient(os, op, errno::linux::ENOENT), "{os:?} {op:?}");
                assert!(!is_transient(os, op, errno::linux::EBUSY), "{os:?} {op:?}");
            }
        }
        for op in ALL_OPS {
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
        assert!(!is_transient_error(Os::Linux, Op::Rename, &busy));
        assert!(!is_transient_error(Os::Windows, Op::Spawn, &busy));
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(!is_transient_error(Os::Windows, Op::Rename, &denied));
    }
}
