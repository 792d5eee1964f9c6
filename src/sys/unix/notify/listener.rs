//! The seccomp listener's ioctls: receive a notification, answer it, ask
//! whether it is still pending. The caller sleeps in the kernel until
//! answered; a notification whose caller was interrupted or died meanwhile
//! is withdrawn, and its id refused (ENOENT), so every step here may fail
//! for reasons that are nobody's error.

use std::io;
use std::os::fd::RawFd;

fn errno() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

/// The next notification on `fd`, or the errno (ENOENT: the caller was
/// interrupted, or died, before we got to it).
pub(super) fn receive(fd: RawFd) -> Result<libc::seccomp_notif, i32> {
    // SAFETY: seccomp_notif is plain data; the kernel wants it zeroed.
    let mut n: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: RECV fills `n`, a seccomp_notif we own.
    if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut n) } != 0 {
        return Err(errno());
    }
    Ok(n)
}

/// Answer notification `id`: fail the call with `fail`, or let it
/// continue into the kernel.
pub(super) fn respond(fd: RawFd, id: u64, fail: Option<i32>) -> Result<(), i32> {
    let mut resp = libc::seccomp_notif_resp {
        id,
        val: 0,
        error: fail.map_or(0, |e| -e),
        flags: if fail.is_some() {
            0
        } else {
            libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32
        },
    };
    // SAFETY: SEND reads `resp`, which we own. ENOENT (the caller was
    // killed meanwhile) needs no handling by the supervisor: nobody is
    // waiting.
    if unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut resp) } != 0 {
        return Err(errno());
    }
    Ok(())
}

/// Is notification `id` still pending? Asked after reading the caller's
/// memory and /proc: its thread could have died and its id been reused,
/// and then what was read belongs to someone else.
pub(super) fn id_valid(fd: RawFd, id: u64) -> bool {
    let mut id = id;
    // SAFETY: ID_VALID reads the u64 we pass.
    unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_ID_VALID, &mut id) == 0 }
}

/// Linux 6.6+: wake the supervisor synchronously, on the caller's CPU,
/// when a call arrives. Best effort: older kernels answer EINVAL and keep
/// the usual wakeup.
pub(super) fn wake_synchronously(fd: RawFd) {
    const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: u64 = 1;
    // SAFETY: SET_FLAGS takes the flags as a plain integer.
    unsafe {
        libc::ioctl(
            fd,
            libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
            SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
        )
    };
}

/// Receive one notification on `fd` and answer it (the support probe's
/// round trip): the errno of whichever step failed.
pub(super) fn answer_one(fd: RawFd, fail: Option<i32>) -> Result<(), i32> {
    let n = receive(fd)?;
    respond(fd, n.id, fail)
}
