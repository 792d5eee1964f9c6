// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/blob/master/library/std/src/sys/pal/unix/mod.rs
use std::io::ErrorKind;

pub const CLASSIFIED: &[(i32, ErrorKind)] = &[
    (libc::EPERM, ErrorKind::PermissionDenied),
    (libc::EPIPE, ErrorKind::BrokenPipe),
    (libc::EROFS, ErrorKind::ReadOnlyFilesystem),
    (libc::ETIMEDOUT, ErrorKind::TimedOut),
    (libc::ETXTBSY, ErrorKind::ExecutableFileBusy),
    (libc::EXDEV, ErrorKind::CrossesDevices),
];

pub fn kind_of(code: i32) -> ErrorKind {
    CLASSIFIED.iter().find(|(c, _)| *c == code).map(|(_, k)| *k).unwrap_or(ErrorKind::Other)
}
