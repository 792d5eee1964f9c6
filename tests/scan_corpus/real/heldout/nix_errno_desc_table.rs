// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `nix` 0.32.0
// (https://static.crates.io/crates/nix/nix-0.32.0.crate), file `src/errno.rs`.
// Licence: MIT (see ../licences/nix-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
fn desc(errno: Errno) -> &'static str {
    use self::Errno::*;
    match errno {
        UnknownErrno => "Unknown errno",
        EPERM => "Operation not permitted",
        ENOENT => "No such file or directory",
        ESRCH => "No such process",
        EINTR => "Interrupted system call",
        EIO => "I/O error",
        ENXIO => "No such device or address",
        E2BIG => "Argument list too long",
        ENOEXEC => "Exec format error",
        EBADF => "Bad file number",
        ECHILD => "No child processes",
        EAGAIN => "Try again",
        ENOMEM => "Out of memory",
        EACCES => "Permission denied",
        EFAULT => "Bad address",
        #[cfg(not(target_os = "haiku"))]
        ENOTBLK => "Block device required",
        EBUSY => "Device or resource busy",
        EEXIST => "File exists",
        EXDEV => "Cross-device link",
        ENODEV => "No such device",
        ENOTDIR => "Not a directory",
        EISDIR => "Is a directory",
        EINVAL => "Invalid argument",
        ENFILE => "File table overflow",
        EMFILE => "Too many open files",
        ENOTTY => "Not a typewriter",
        ETXTBSY => "Text file busy",
        EFBIG => "File too large",
        ENOSPC => "No space left on device",
        ESPIPE => "Illegal seek",
        EROFS => "Read-only file system",
        EMLINK => "Too many links",
        EPIPE => "Broken pipe",
        EDOM => "Math argument out of domain of func",
        ERANGE => "Math result not representable",
        EDEADLK => "Resource deadlock would occur",
        ENAMETOOLONG => "File name too long",
        ENOLCK => "No record locks available",
        ENOSYS => "Function not implemented",
        ENOTEMPTY => "Directory not empty",
        ELOOP => "Too many symbolic links encountered",
        ENOMSG => "No message of desired type",
        EIDRM => "Identifier removed",
        EINPROGRESS => "Operation now in progress",
        EALREADY => "Operation already in progress",
        ENOTSOCK => "Socket operation on non-socket",
        EDESTADDRREQ => "Destination address required",
        EMSGSIZE => "Message too long",
        EPROTOTYPE => "Protocol wrong type for socket",
        ENOPROTOOPT => "Protocol not available",
        EPROTONOSUPPORT => "Protocol not supported",
        #[cfg(not(target_os = "haiku"))]
        ESOCKTNOSUPPORT => "Socket type not supported",
        #[cfg(not(target_os = "haiku"))]
        EPFNOSUPPORT => "Protocol family not supported",
        #[cfg(not(target_os = "haiku"))]
        EAFNOSUPPORT => "Address family not supported by protocol",
        EADDRINUSE => "Address already in use",
        EADDRNOTAVAIL => "Cannot assign requested address",
        ENETDOWN => "Network is down",
        ENETUNREACH => "Network is unreachable",
        ENETRESET => "Network dropped connection because of reset",
        ECONNABORTED => "Software caused connection abort",
        ECONNRESET => "Connection reset by peer",
        ENOBUFS => "No buffer space available",
        EISCONN => "Transport endpoint is already connected",
        ENOTCONN => "Transport endpoint is not connected",
        ESHUTDOWN => "Cannot send after transport endpoint shutdown",
        #[cfg(not(target_os = "haiku"))]
        ETOOMANYREFS => "Too many references: cannot splice",
        ETIMEDOUT => "Connection timed out",
        ECONNREFUSED => "Connection refused",
        EHOSTDOWN => "Host is down",
        EHOSTUNREACH => "No route to host",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ECHRNG => "Channel number out of range",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EL2NSYNC => "Level 2 not synchronized",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EL3HLT => "Level 3 halted",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EL3RST => "Level 3 reset",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ELNRNG => "Link number out of range",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EUNATCH => "Protocol driver not attached",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOCSI => "No CSI structure available",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EL2HLT => "Level 2 halted",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBADE => "Invalid exchange",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBADR => "Invalid request descriptor",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EXFULL => "Exchange full",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOANO => "No anode",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBADRQC => "Invalid request code",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBADSLT => "Invalid slot",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBFONT => "Bad font file format",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOSTR => "Device not a stream",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENODATA => "No data available",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ETIME => "Timer expired",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOSR => "Out of streams resources",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENONET => "Machine is not on the network",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOPKG => "Package not installed",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EREMOTE => "Object is remote",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        ENOLINK => "Link has been severed",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EADV => "Advertise error",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ESRMNT => "Srmount error",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ECOMM => "Communication error on send",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EPROTO => "Protocol error",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EMULTIHOP => "Multihop attempted",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EDOTDOT => "RFS specific error",

        #[cfg(any(
            linux_android,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBADMSG => "Not a data message",

        #[cfg(solarish)]
        EBADMSG => "Trying to read unreadable message",

        #[cfg(any(
            linux_android,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "haiku",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EOVERFLOW => "Value too large for defined data type",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOTUNIQ => "Name not unique on network",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EBADFD => "File descriptor in bad state",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EREMCHG => "Remote address changed",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ELIBACC => "Can not access a needed shared library",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ELIBBAD => "Accessing a corrupted shared library",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ELIBSCN => ".lib section in a.out corrupted",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ELIBMAX => "Attempting to link in too many shared libraries",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ELIBEXEC => "Cannot exec a shared library directly",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "openbsd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EILSEQ => "Illegal byte sequence",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        ERESTART => "Interrupted system call should be restarted",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ESTRPIPE => "Streams pipe error",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EUSERS => "Too many users",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "netbsd",
            target_os = "redox",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EOPNOTSUPP => "Operation not supported on transport endpoint",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ESTALE => "Stale file handle",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EUCLEAN => "Structure needs cleaning",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        ENOTNAM => "Not a XENIX named type file",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        ENAVAIL => "No XENIX semaphores available",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EISNAM => "Is a named type file",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EREMOTEIO => "Remote I/O error",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EDQUOT => "Quota exceeded",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "openbsd",
            target_os = "dragonfly",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOMEDIUM => "No medium found",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "openbsd",
            target_os = "emscripten",
        ))]
        EMEDIUMTYPE => "Wrong medium type",

        #[cfg(any(
            linux_android,
            solarish,
            target_os = "fuchsia",
            target_os = "haiku",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ECANCELED => "Operation canceled",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        ENOKEY => "Required key not available",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EKEYEXPIRED => "Key has expired",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EKEYREVOKED => "Key has been revoked",

        #[cfg(any(
            linux_android,
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EKEYREJECTED => "Key was rejected by service",

        #[cfg(any(
            linux_android,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "hurd",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        EOWNERDEAD => "Owner died",

        #[cfg(solarish)]
        EOWNERDEAD => "Process died with lock",

        #[cfg(any(
            linux_android,
            target_os = "aix",
            target_os = "fuchsia",
            target_os = "emscripten",
            target_os = "cygwin",
        ))]
        ENOTRECOVERABLE => "State not recoverable",

        #[cfg(solarish)]
        ENOTRECOVERABLE => "Lock is not recoverable",

        #[cfg(any(
            all(target_os = "linux", not(target_arch = "mips")),
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        ERFKILL => "Operation not possible due to RF-kill",

        #[cfg(any(
            all(target_os = "linux", not(target_arch = "mips")),
            target_os = "fuchsia",
            target_os = "emscripten",
        ))]
        EHWPOISON => "Memory page has hardware error",

        #[cfg(freebsdlike)]
        EDOOFUS => "Programming error",

        #[cfg(any(
            freebsdlike,
            target_os = "hurd",
            target_os = "redox",
            target_os = "cygwin"
        ))]
        EMULTIHOP => "Multihop attempted",

        #[cfg(any(
            freebsdlike,
            target_os = "hurd",
            target_os = "redox",
            target_os = "cygwin"
        ))]
        ENOLINK => "Link has been severed",

        #[cfg(target_os = "freebsd")]
        ENOTCAPABLE => "Capabilities insufficient",

        #[cfg(target_os = "freebsd")]
        ECAPMODE => "Not permitted in capability mode",

        #[cfg(any(bsd, target_os = "hurd"))]
        ENEEDAUTH => "Need authenticator",

        #[cfg(any(bsd, target_os = "redox", solarish))]
        EOVERFLOW => "Value too large to be stored in data type",

        #[cfg(any(
            freebsdlike,
            apple_targets,
            target_os = "netbsd",
            target_os = "redox",
            target_os = "haiku",
            target_os = "hurd"
        ))]
        EILSEQ => "Illegal byte sequence",

        #[cfg(any(bsd, target_os = "haiku"))]
        ENOATTR => "Attribute not found",

        #[cfg(any(
            bsd,
            target_os = "redox",
            target_os = "haiku",
            target_os = "hurd"
        ))]
        EBADMSG => "Bad message",

        #[cfg(any(
            bsd,
            target_os = "haiku",
            target_os = "hurd",
            target_os = "redox"
        ))]
        EPROTO => "Protocol error",

        #[cfg(any(
            freebsdlike,
            apple_targets,
            target_os = "openbsd",
            target_os = "hurd"
        ))]
        ENOTRECOVERABLE => "State not recoverable",

        #[cfg(any(freebsdlike, apple_targets, target_os = "openbsd"))]
        EOWNERDEAD => "Previous owner died",

        #[cfg(any(
            bsd,
            target_os = "aix",
            solarish,
            target_os = "haiku",
            target_os = "hurd",
            target_os = "cygwin"
        ))]
        ENOTSUP => "Operation not supported",

        #[cfg(any(
            bsd,
            target_os = "aix",
            target_os = "hurd",
            target_os = "cygwin"
        ))]
        EPROCLIM => "Too many processes",

        #[cfg(any(
            bsd,
            target_os = "aix",
            target_os = "hurd",
            target_os = "redox"
        ))]
        EUSERS => "Too many users",

        #[cfg(any(
            bsd,
            solarish,
            target_os = "redox",
            target_os = "aix",
            target_os = "haiku",
            target_os = "hurd"
        ))]
        EDQUOT => "Disc quota exceeded",

        #[cfg(any(
            bsd,
            solarish,
            target_os = "redox",
            target_os = "aix",
            target_os = "haiku"
        ))]
        ESTALE => "Stale NFS file handle",

        #[cfg(any(bsd, target_os = "aix", target_os = "redox"))]
        EREMOTE => "Too many levels of remote in path",

        #[cfg(any(bsd, target_os = "hurd"))]
        EBADRPC => "RPC struct is bad",

        #[cfg(any(bsd, target_os = "hurd"))]
        ERPCMISMATCH => "RPC version wrong",

        #[cfg(any(bsd, target_os = "hurd"))]
        EPROGUNAVAIL => "RPC prog. not avail",

        #[cfg(any(bsd, target_os = "hurd"))]
        EPROGMISMATCH => "Program version wrong",

        #[cfg(any(bsd, target_os = "hurd"))]
        EPROCUNAVAIL => "Bad procedure for program",

        #[cfg(any(bsd, target_os = "hurd", target_os = "cygwin"))]
        EFTYPE => "Inappropriate file type or format",

        #[cfg(any(bsd, target_os = "hurd"))]
        EAUTH => "Authentication error",

        #[cfg(any(
            bsd,
            target_os = "aix",
            target_os = "hurd",
            target_os = "redox"
        ))]
        ECANCELED => "Operation canceled",

        #[cfg(apple_targets)]
        EPWROFF => "Device power is off",

        #[cfg(apple_targets)]
        EDEVERR => "Device error, e.g. paper out",

        #[cfg(apple_targets)]
        EBADEXEC => "Bad executable",

        #[cfg(apple_targets)]
        EBADARCH => "Bad CPU type in executable",

        #[cfg(apple_targets)]
        ESHLIBVERS => "Shared library version mismatch",

        #[cfg(apple_targets)]
        EBADMACHO => "Malformed Macho file",

        #[cfg(any(apple_targets, target_os = "netbsd", target_os = "haiku"))]
        EMULTIHOP => "Reserved",

        #[cfg(any(
            apple_targets,
            target_os = "aix",
            target_os = "netbsd",
            target_os = "redox"
        ))]
        ENODATA => "No message available on STREAM",

        #[cfg(any(apple_targets, target_os = "netbsd", target_os = "haiku"))]
        ENOLINK => "Reserved",

        #[cfg(any(
            apple_targets,
            target_os = "aix",
            target_os = "netbsd",
            target_os = "redox"
        ))]
        ENOSR => "No STREAM resources",

        #[cfg(any(
            apple_targets,
            target_os = "aix",
            target_os = "netbsd",
            target_os = "redox"
        ))]
        ENOSTR => "Not a STREAM",

        #[cfg(any(
            apple_targets,
            target_os = "aix",
            target_os = "netbsd",
            target_os = "redox"
        ))]
        ETIME => "STREAM ioctl timeout",

        #[cfg(any(apple_targets, solarish, target_os = "aix"))]
        EOPNOTSUPP => "Operation not supported on socket",

        #[cfg(apple_targets)]
        ENOPOLICY => "No such policy registered",

        #[cfg(apple_targets)]
        EQFULL => "Interface output queue is full",

        #[cfg(any(target_os = "openbsd", target_os = "hurd"))]
        EOPNOTSUPP => "Operation not supported",

        #[cfg(target_os = "openbsd")]
        EIPSEC => "IPsec processing failure",

        #[cfg(target_os = "dragonfly")]
        EASYNC => "Async",

        #[cfg(any(solarish, target_os = "cygwin"))]
        EDEADLOCK => "Resource deadlock would occur",

        #[cfg(solarish)]
        ELOCKUNMAPPED => "Locked lock was unmapped",

        #[cfg(solarish)]
        ENOTACTIVE => "Facility is not active",

        #[cfg(target_os = "hurd")]
        EBACKGROUND => "Inappropriate operation for background process",

        #[cfg(target_os = "hurd")]
        EDIED => "Translator died",

        #[cfg(target_os = "hurd")]
        EGREGIOUS => "You really blew it this time",

        #[cfg(target_os = "hurd")]
        EIEIO => "Computer bought the farm",

        #[cfg(target_os = "hurd")]
        EGRATUITOUS => "Gratuitous error",
    }
}
