//! Error names to raw codes, per OS family. Pure data.
//!
//! Linux values are from the kernel's asm-generic headers, macOS values from
//! the `libc` crate's Apple module, Windows values from winerror.h.

use crate::classify::Os;

/// (name, Linux, macOS) for the POSIX names that file and process code meets.
const POSIX: &[(&str, i32, i32)] = &[
    ("EPERM", 1, 1),
    ("ENOENT", 2, 2),
    ("EINTR", 4, 4),
    ("EIO", 5, 5),
    ("ENXIO", 6, 6),
    ("E2BIG", 7, 7),
    ("ENOEXEC", 8, 8),
    ("EBADF", 9, 9),
    ("ECHILD", 10, 10),
    ("EAGAIN", 11, 35),
    ("EWOULDBLOCK", 11, 35),
    ("ENOMEM", 12, 12),
    ("EACCES", 13, 13),
    ("EFAULT", 14, 14),
    ("EBUSY", 16, 16),
    ("EEXIST", 17, 17),
    ("EXDEV", 18, 18),
    ("ENODEV", 19, 19),
    ("ENOTDIR", 20, 20),
    ("EISDIR", 21, 21),
    ("EINVAL", 22, 22),
    ("ENFILE", 23, 23),
    ("EMFILE", 24, 24),
    ("ETXTBSY", 26, 26),
    ("EFBIG", 27, 27),
    ("ENOSPC", 28, 28),
    ("ESPIPE", 29, 29),
    ("EROFS", 30, 30),
    ("EMLINK", 31, 31),
    ("EPIPE", 32, 32),
    ("EDEADLK", 35, 11),
    ("ENAMETOOLONG", 36, 63),
    ("ENOLCK", 37, 77),
    ("ENOSYS", 38, 78),
    ("ENOTEMPTY", 39, 66),
    ("ELOOP", 40, 62),
    ("EOPNOTSUPP", 95, 102),
    ("ETIMEDOUT", 110, 60),
    ("ESTALE", 116, 70),
    ("EDQUOT", 122, 69),
    ("ECANCELED", 125, 89),
];

/// Win32 error codes that file and process code meets.
const WINDOWS: &[(&str, i32)] = &[
    ("ERROR_FILE_NOT_FOUND", 2),
    ("ERROR_PATH_NOT_FOUND", 3),
    ("ERROR_TOO_MANY_OPEN_FILES", 4),
    ("ERROR_ACCESS_DENIED", 5),
    ("ERROR_INVALID_HANDLE", 6),
    ("ERROR_NOT_ENOUGH_MEMORY", 8),
    ("ERROR_NOT_SAME_DEVICE", 17),
    ("ERROR_WRITE_PROTECT", 19),
    ("ERROR_SHARING_VIOLATION", 32),
    ("ERROR_LOCK_VIOLATION", 33),
    ("ERROR_HANDLE_DISK_FULL", 39),
    ("ERROR_NOT_SUPPORTED", 50),
    ("ERROR_FILE_EXISTS", 80),
    ("ERROR_INVALID_PARAMETER", 87),
    ("ERROR_BROKEN_PIPE", 109),
    ("ERROR_DISK_FULL", 112),
    ("ERROR_INVALID_NAME", 123),
    ("ERROR_DIR_NOT_EMPTY", 145),
    ("ERROR_BUSY", 170),
    ("ERROR_ALREADY_EXISTS", 183),
    ("ERROR_FILENAME_EXCED_RANGE", 206),
    ("ERROR_DIRECTORY", 267),
    ("ERROR_DELETE_PENDING", 303),
    ("ERROR_USER_MAPPED_FILE", 1224),
    ("ERROR_TIMEOUT", 1460),
];

/// The raw code of `name` on `os`, or why there is none.
pub(crate) fn code_of(os: Os, name: &str) -> Result<i32, &'static str> {
    let posix = POSIX.iter().find(|(n, ..)| *n == name);
    let windows = WINDOWS.iter().find(|(n, _)| *n == name);
    match (os, posix, windows) {
        (Os::Linux, Some(&(_, l, _)), _) => Ok(l),
        (Os::MacOs, Some(&(_, _, m)), _) => Ok(m),
        // Other Unixes share the historical numbers below 35 only.
        (Os::OtherUnix, Some(&(_, l, m)), _) if l == m => Ok(l),
        (Os::Windows, _, Some(&(_, w))) => Ok(w),
        (Os::Windows, Some(_), None) => {
            Err("is a POSIX errno; Windows reports ERROR_* codes (for example ERROR_SHARING_VIOLATION)")
        }
        (_, None, Some(_)) => {
            Err("is a Windows error; this OS reports errno names (for example EBUSY)")
        }
        (Os::OtherUnix, Some(_), _) => Err("has no known number on this OS: give the number"),
        _ => Err("is not a known error name: use a name like EBUSY or ERROR_SHARING_VIOLATION, or a number"),
    }
}

/// The table's own copy of `name`, so a parsed plan can keep it as `&'static str`.
pub(crate) fn static_name(name: &str) -> Option<&'static str> {
    let posix = POSIX.iter().map(|(n, ..)| *n);
    posix
        .chain(WINDOWS.iter().map(|(n, _)| *n))
        .find(|n| *n == name)
}

/// Every name the grammar knows on `os` (for the property tests and docs).
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
        assert_eq!(code_of(Os::Linux, "EAGAIN"), Ok(11));
        assert_eq!(code_of(Os::MacOs, "EAGAIN"), Ok(35));
        assert_eq!(code_of(Os::Linux, "ETXTBSY"), Ok(26));
        assert_eq!(code_of(Os::Windows, "ERROR_SHARING_VIOLATION"), Ok(32));
        assert!(code_of(Os::Linux, "ERROR_SHARING_VIOLATION").is_err());
        assert!(code_of(Os::Windows, "EBUSY").is_err());
        assert!(code_of(Os::Linux, "EBSY").is_err());
        assert_eq!(code_of(Os::OtherUnix, "EBUSY"), Ok(16));
        assert!(code_of(Os::OtherUnix, "ENOSYS").is_err());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_table_matches_libc() {
        let libc_values = [
            ("EPERM", libc::EPERM),
            ("EAGAIN", libc::EAGAIN),
            ("EDEADLK", libc::EDEADLK),
            ("ENAMETOOLONG", libc::ENAMETOOLONG),
            ("ENOLCK", libc::ENOLCK),
            ("ENOSYS", libc::ENOSYS),
            ("ENOTEMPTY", libc::ENOTEMPTY),
            ("ELOOP", libc::ELOOP),
            ("EOPNOTSUPP", libc::EOPNOTSUPP),
            ("ETIMEDOUT", libc::ETIMEDOUT),
            ("ESTALE", libc::ESTALE),
            ("EDQUOT", libc::EDQUOT),
            ("ECANCELED", libc::ECANCELED),
            ("ETXTBSY", libc::ETXTBSY),
        ];
        for (name, v) in libc_values {
            assert_eq!(code_of(Os::Linux, name), Ok(v), "{name}");
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
