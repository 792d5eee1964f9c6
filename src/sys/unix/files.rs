//! The Unix door's plain file calls (create, reopen, mode, sync, identity),
//! and the errno helpers the door's other files share.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Does exec of a file that is open for writing fail (ETXTBSY) here? Linux
/// and the BSDs refuse it; macOS does not (XNU compiled the check out), so
/// there is no writer to wait for.
pub(crate) const EXEC_REFUSES_WRITERS: bool = !cfg!(target_vendor = "apple");

/// A running program's file can lose its names: unlinking one only drops a
/// link (the fake commands share one copy of their shim by hard links).
pub(crate) const RUNNING_PROGRAMS_UNLINK: bool = true;

/// What joins `PATH` entries.
pub(crate) const PATH_SEPARATOR: &str = ":";

/// (device, inode): what "the same file" means on Unix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    // create_new is O_CREAT|O_EXCL: it fails on an existing symlink instead of
    // following it. 0o600 until the installer sets the mode after the
    // barrier: nobody else can open it meanwhile, and we can reopen it.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

pub(crate) fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    // fchmod needs ownership, not write access: it works on the read-only
    // descriptor the installer holds after the barrier.
    // SAFETY: a plain syscall on a descriptor `file` keeps open.
    cvt(unsafe { libc::fchmod(file.as_raw_fd(), mode as libc::mode_t) }).map(drop)
}

pub(crate) fn close(file: File) -> io::Result<()> {
    let fd = file.into_raw_fd();
    // POSIX leaves the fd state after EINTR unspecified; Linux always closes it.
    // Retrying could close someone else's new fd, so EINTR counts as closed.
    // SAFETY: `fd` was just released by `into_raw_fd`: we own it, once.
    match cvt(unsafe { libc::close(fd) }) {
        Err(e) if e.raw_os_error() == Some(libc::EINTR) => Ok(()),
        other => other.map(drop),
    }
}

pub(crate) fn file_id(file: &File) -> io::Result<FileId> {
    let m = file.metadata()?;
    Ok(FileId(m.dev(), m.ino()))
}

/// Open `path` read-only (a read-only descriptor does not block exec), not
/// following a link, and check it is `expect` when given.
pub(crate) fn reopen(path: &Path, expect: Option<&FileId>) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    if let Some(id) = expect
        && file_id(&file)? != *id
    {
        return Err(io::Error::other(format!(
            "{} was replaced by another file while flakeproof was installing it",
            path.display()
        )));
    }
    Ok(file)
}

pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// chmod by path (the naive installs of `lab`).
pub(crate) fn set_mode_path(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Open `path` to fsync it: read-only, which fsync accepts. A writable
/// descriptor would make an exec of the file fail with ETXTBSY while it is
/// open here, and in every child forked meanwhile: the very race of this
/// crate.
pub(crate) fn open_for_sync(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Open an existing file for writing, without truncating it.
pub(crate) fn open_for_writing(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

pub(crate) fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Errnos that mean "this filesystem does not do flock/leases": the barrier
/// then falls back to the next probe.
pub(crate) fn unsupported(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ENOLCK | libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EACCES)
    ) || err.raw_os_error() == Some(libc::ENOTSUP)
}

/// Is `err` what a non-blocking lock says when someone else holds it?
pub(crate) fn would_block(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::WouldBlock
}

/// The permission bits of a file.
pub(crate) fn mode_of(meta: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777
}

/// Write all of `buf` at `offset`, without moving the file position.
pub(crate) fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

/// Whether `file` in `dir` can be changed by no one but us (and root): the
/// file is a regular file we own, writable by no group or other, in a
/// directory owned by us or root that others can't write to, or that is
/// sticky (so they can't rename our file away). A shim cached in a shared
/// place must pass this before fakes are linked to it: otherwise another
/// user could swap in a program of their own, which our tests would run.
pub(crate) fn only_we_can_change(dir: &Path, file: &Path) -> bool {
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let dir_ok = std::fs::metadata(dir).is_ok_and(|m| {
        (m.uid() == me || m.uid() == 0) && (m.mode() & 0o022 == 0 || m.mode() & 0o1000 != 0)
    });
    dir_ok
        && std::fs::symlink_metadata(file)
            .is_ok_and(|m| m.is_file() && m.uid() == me && m.mode() & 0o022 == 0)
}

/// Whether process `pid` is alive (not a zombie): the second opinion on a
/// fake's liveness where its lock is missing (see `sys::fakes`). Linux
/// reads `/proc/PID/stat`; other Unixes ask `kill(pid, 0)`, which counts a
/// zombie as alive.
pub(crate) fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        return std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            // "PID (comm) S ...": the state follows the last ')'.
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next())
                .is_some_and(|state| state != 'Z' && state != 'X')
        });
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) } == 0;
    sent || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// `mkdir` with mode 0o700: only we can enter it, whatever the umask.
pub(crate) fn make_private_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().mode(0o700).create(path)
}

/// Unix removes a name at once: no "delete pending" state to recognise.
pub(crate) fn delete_pending(_err: &io::Error) -> bool {
    false
}
