//! Raw error numbers per OS family, as `io::Error::raw_os_error()` reports
//! them: the one table that both the public constants and the fault grammar's
//! error names come from.
//!
//! The numbers are spelled out per family because `libc`'s constants exist
//! only for the target being compiled, and the classification tables and the
//! grammar are tested for every OS on Linux. Linux values are the kernel's
//! asm-generic ones, macOS values the `libc` crate's Apple module, Windows
//! values winerror.h's.
//!
//! ```
//! use flakeproof::errno;
//! assert_eq!(errno::linux::ETXTBSY, 26);
//! assert_eq!(errno::macos::EAGAIN, 35);
//! assert_eq!(errno::windows::ERROR_SHARING_VIOLATION, 32);
//! ```

use crate::os::Os;

macro_rules! posix_table {
    ($( $name:ident = $linux:literal, $macos:literal, $doc:literal; )*) => {
        /// Linux errno values (asm-generic; also Android).
        ///
        /// ```
        /// assert_eq!(flakeproof::errno::linux::EBUSY, 16);
        /// ```
        pub mod linux {
            $( #[doc = $doc] pub const $name: i32 = $linux; )*
        }
        /// macOS (Darwin) errno values.
        ///
        /// ```
        /// assert_eq!(flakeproof::errno::macos::ENOTEMPTY, 66);
        /// ```
        pub mod macos {
            $( #[doc = $doc] pub const $name: i32 = $macos; )*
        }
        /// (name, Linux, macOS).
        const POSIX: &[(&str, i32, i32)] = &[ $( (stringify!($name), $linux, $macos), )* ];
    };
}

posix_table! {
    EPERM = 1, 1, "Operation not permitted (macOS: also a copy over a just-built executable).";
    ENOENT = 2, 2, "No such file or directory.";
    EINTR = 4, 4, "Interrupted system call.";
    EIO = 5, 5, "Input/output error.";
    ENXIO = 6, 6, "No such device or address.";
    E2BIG = 7, 7, "Argument list too long.";
    ENOEXEC = 8, 8, "Exec format error.";
    EBADF = 9, 9, "Bad file descriptor.";
    ECHILD = 10, 10, "No child processes.";
    EAGAIN = 11, 35, "Resource temporarily unavailable (a lease refused while the file has a writer).";
    EWOULDBLOCK = 11, 35, "Same as EAGAIN (a non-blocking lock is held by someone else).";
    ENOMEM = 12, 12, "Cannot allocate memory.";
    EACCES = 13, 13, "Permission denied.";
    EFAULT = 14, 14, "Bad address.";
    EBUSY = 16, 16, "Device or resource busy.";
    EEXIST = 17, 17, "File exists.";
    EXDEV = 18, 18, "Cross-device link.";
    ENODEV = 19, 19, "No such device.";
    ENOTDIR = 20, 20, "Not a directory.";
    EISDIR = 21, 21, "Is a directory.";
    EINVAL = 22, 22, "Invalid argument.";
    ENFILE = 23, 23, "Too many open files in system.";
    EMFILE = 24, 24, "Too many open files.";
    ETXTBSY = 26, 26, "Text file busy: exec of a file open for writing, or the reverse.";
    EFBIG = 27, 27, "File too large.";
    ENOSPC = 28, 28, "No space left on device.";
    ESPIPE = 29, 29, "Illegal seek.";
    EROFS = 30, 30, "Read-only file system.";
    EMLINK = 31, 31, "Too many links.";
    EPIPE = 32, 32, "Broken pipe.";
    EDEADLK = 35, 11, "Resource deadlock avoided.";
    ENAMETOOLONG = 36, 63, "File name too long.";
    ENOLCK = 37, 77, "No locks available.";
    ENOSYS = 38, 78, "Function not implemented.";
    ENOTEMPTY = 39, 66, "Directory not empty.";
    ELOOP = 40, 62, "Too many levels of symbolic links.";
    EOPNOTSUPP = 95, 102, "Operation not supported.";
    ETIMEDOUT = 110, 60, "Connection timed out.";
    ESTALE = 116, 70, "Stale file handle (NFS).";
    EDQUOT = 122, 69, "Disk quota exceeded.";
    ECANCELED = 125, 89, "Operation canceled.";
}

macro_rules! windows_table {
    ($( $name:ident = $code:literal, $doc:literal; )*) => {
        /// Win32 error codes (`GetLastError`), which is what std reports on Windows.
        ///
        /// ```
        /// assert_eq!(flakeproof::errno::windows::ERROR_DELETE_PENDING, 303);
        /// ```
        pub mod windows {
            $( #[doc = $doc] pub const $name: i32 = $code; )*
        }
        const WINDOWS: &[(&str, i32)] = &[ $( (stringify!($name), $code), )* ];
    };
}

windows_table! {
    ERROR_FILE_NOT_FOUND = 2, "The file does not exist.";
    ERROR_PATH_NOT_FOUND = 3, "A directory on the path does not exist.";
    ERROR_TOO_MANY_OPEN_FILES = 4, "Too many open handles.";
    ERROR_ACCESS_DENIED = 5, "Access denied; also what antivirus scanners and pending deletes surface as.";
    ERROR_INVALID_HANDLE = 6, "The handle is invalid.";
    ERROR_NOT_ENOUGH_MEMORY = 8, "Not enough memory.";
    ERROR_NOT_SAME_DEVICE = 17, "Cannot move the file to a different disk drive.";
    ERROR_WRITE_PROTECT = 19, "The media is write protected.";
    ERROR_SHARING_VIOLATION = 32, "Another handle was opened without the needed share mode.";
    ERROR_LOCK_VIOLATION = 33, "A byte-range lock is held by someone else.";
    ERROR_HANDLE_DISK_FULL = 39, "The disk is full.";
    ERROR_NOT_SUPPORTED = 50, "The request is not supported.";
    ERROR_FILE_EXISTS = 80, "The file exists.";
    ERROR_INVALID_PARAMETER = 87, "The parameter is incorrect.";
    ERROR_BROKEN_PIPE = 109, "The pipe has been ended.";
    ERROR_DISK_FULL = 112, "There is not enough space on the disk.";
    ERROR_INVALID_NAME = 123, "The file name or syntax is incorrect.";
    ERROR_DIR_NOT_EMPTY = 145, "A directory still holds an entry (perhaps one whose delete is pending).";
    ERROR_BUSY = 170, "The requested resource is in use.";
    ERROR_ALREADY_EXISTS = 183, "Cannot create a file that already exists.";
    ERROR_FILENAME_EXCED_RANGE = 206, "The file name is too long.";
    ERROR_DIRECTORY = 267, "The directory name is invalid.";
    ERROR_DELETE_PENDING = 303, "The file is being deleted; it vanishes when its last handle closes.";
    ERROR_USER_MAPPED_FILE = 1224, "The file has a user-mapped section open (mappings may live until a GC).";
    ERROR_TIMEOUT = 1460, "The operation returned because the timeout period expired.";
}

/// The raw code this OS gives for the error called `name` (`"EBUSY"`,
/// `"ERROR_SHARING_VIOLATION"`), as fault plans spell it; `None` for a name
/// the table does not know on this OS. For tests that run on several OSes.
///
/// ```
/// use flakeproof::errno;
/// # #[cfg(target_os = "linux")]
/// assert_eq!(errno::by_name("EAGAIN"), Some(11));
/// # #[cfg(windows)]
/// assert_eq!(errno::by_name("ERROR_SHARING_VIOLATION"), Some(32));
/// assert_eq!(errno::by_name("NOT_AN_ERROR"), None);
/// ```
pub fn by_name(name: &str) -> Option<i32> {
    code_of(Os::CURRENT, name).ok().map(|(code, _)| code)
}

/// The raw code of `name` on `os`, and the table's own copy of the name; or
/// why there is none.
pub(crate) fn code_of(os: Os, name: &str) -> Result<(i32, &'static str), &'static str> {
    let posix = POSIX.iter().find(|(n, ..)| *n == name);
    let windows = WINDOWS.iter().find(|(n, _)| *n == name);
    match (os, posix, windows) {
        (Os::Linux, Some(&(n, l, _)), _) => Ok((l, n)),
        (Os::MacOs, Some(&(n, _, m)), _) => Ok((m, n)),
        // Other Unixes share the historical numbers (below 35) only.
        (Os::OtherUnix, Some(&(n, l, m)), _) if l == m => Ok((l, n)),
        (Os::Windows, _, Some(&(n, w))) => Ok((w, n)),
        (Os::Windows, Some(_), None) => Err(
            "is a POSIX errno; Windows reports ERROR_* codes (for example ERROR_SHARING_VIOLATION)",
        ),
        (_, None, Some(_)) => {
            Err("is a Windows error; this OS reports errno names (for example EBUSY)")
        }
        (Os::OtherUnix, Some(_), _) => Err("has no known number on this OS: give the number"),
        _ => Err(
            "is not a known error name: use a name like EBUSY or ERROR_SHARING_VIOLATION, or a number",
        ),
    }
}

/// Every name the table knows on `os` (for the grammar's property tests).
#[cfg(test)]
pub(crate) fn names(os: Os) -> Vec<&'static str> {
    let all = POSIX
        .iter()
        .map(|(n, ..)| *n)
        .chain(WINDOWS.iter().map(|(n, _)| *n));
    all.filter(|n| code_of(os, n).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_per_family() {
        let code = |os, n| code_of(os, n).map(|(c, _)| c);
        assert_eq!(code(Os::Linux, "EAGAIN"), Ok(11));
        assert_eq!(code(Os::MacOs, "EAGAIN"), Ok(35));
        assert_eq!(code(Os::Linux, "ETXTBSY"), Ok(26));
        assert_eq!(code(Os::Windows, "ERROR_SHARING_VIOLATION"), Ok(32));
        assert!(code(Os::Linux, "ERROR_SHARING_VIOLATION").is_err());
        assert!(code(Os::Windows, "EBUSY").is_err());
        assert!(code(Os::Linux, "EBSY").is_err());
        assert_eq!(code(Os::OtherUnix, "EBUSY"), Ok(16));
        assert!(code(Os::OtherUnix, "ENOSYS").is_err());
        assert_eq!(code_of(Os::Linux, "EIO").unwrap().1, "EIO");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_table_matches_libc() {
        let libc_values = [
            (linux::EPERM, libc::EPERM),
            (linux::EAGAIN, libc::EAGAIN),
            (linux::EDEADLK, libc::EDEADLK),
            (linux::ENAMETOOLONG, libc::ENAMETOOLONG),
            (linux::ENOLCK, libc::ENOLCK),
            (linux::ENOSYS, libc::ENOSYS),
            (linux::ENOTEMPTY, libc::ENOTEMPTY),
            (linux::ELOOP, libc::ELOOP),
            (linux::EOPNOTSUPP, libc::EOPNOTSUPP),
            (linux::ETIMEDOUT, libc::ETIMEDOUT),
            (linux::ESTALE, libc::ESTALE),
            (linux::EDQUOT, libc::EDQUOT),
            (linux::ECANCELED, libc::ECANCELED),
            (linux::ETXTBSY, libc::ETXTBSY),
        ];
        for (ours, theirs) in libc_values {
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn no_duplicate_names() {
        let mut all: Vec<_> = POSIX
            .iter()
            .map(|(n, ..)| *n)
            .chain(WINDOWS.iter().map(|(n, _)| *n))
            .collect();
        let before = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), before);
    }
}
