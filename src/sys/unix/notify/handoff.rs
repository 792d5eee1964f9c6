//! The handoff from a forked child to the supervisor, both sides of it:
//! between fork and exec the child sends its seccomp listener, the read end
//! of its exec pipe and a pidfd of itself as SCM_RIGHTS over a
//! SOCK_SEQPACKET pair, with whether its spawn was counted already and its
//! pid. The kernel gives the listener to the process that installed the
//! filter, the child, so it has to be passed back; seqpacket keeps each
//! child's message whole, however many children send at once. Both sides are here so the message's
//! layout is written once.
//!
//! The sending side runs between fork and exec: system calls on memory
//! prepared before the fork only, no allocation, no locks.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// One child's message: raw descriptors when sent, owned once received.
pub(super) struct Handoff<Fd> {
    /// The filter's listener: the tree's notifications arrive on it. `None`
    /// for a child of a thread under a kernel plan, which installs no filter
    /// of its own: its calls come on that thread's listener.
    pub(super) listener: Option<Fd>,
    /// The exec pipe's read end (see the supervisor's `Tree`).
    pub(super) exec_pipe: Fd,
    /// To stop the tree without signalling a reused pid.
    pub(super) pidfd: Fd,
    /// The spawn was consulted in this process already.
    pub(super) spawn_counted: bool,
    pub(super) pid: u32,
    /// The plan attached to the command (its address, as an id): a kernel
    /// plan's supervisor serves the commands of every plan its thread
    /// attaches.
    pub(super) plan: u64,
}

/// The bytes beside the descriptors: flags (spawn counted, a listener
/// sent), the pid, the plan's id.
const DATA_LEN: usize = 13;
const COUNTED: u8 = 1;
const LISTENER: u8 = 2;

/// Send `h` on `sock`; the errno if it fails. Only system calls: this
/// runs between fork and exec.
pub(super) fn send(sock: RawFd, h: &Handoff<RawFd>) -> Result<(), i32> {
    let all = [h.listener.unwrap_or(-1), h.exec_pipe, h.pidfd];
    let fds = match h.listener {
        Some(_) => &all[..],
        None => &all[1..],
    };
    let mut data = [0u8; DATA_LEN];
    data[0] =
        if h.spawn_counted { COUNTED } else { 0 } | if h.listener.is_some() { LISTENER } else { 0 };
    data[1..5].copy_from_slice(&h.pid.to_ne_bytes());
    data[5..].copy_from_slice(&h.plan.to_ne_bytes());
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // Room for one SCM_RIGHTS header and three descriptors, aligned.
    let mut cmsg = [0u64; 8];
    // SAFETY: msghdr is plain data; zeroed is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.as_mut_ptr().cast();
    // SAFETY: CMSG_SPACE and CMSG_LEN are arithmetic.
    let (space, len) = unsafe {
        (
            libc::CMSG_SPACE(std::mem::size_of_val(fds) as u32),
            libc::CMSG_LEN(std::mem::size_of_val(fds) as u32),
        )
    };
    msg.msg_controllen = space as _;
    // SAFETY: the control buffer is 64 bytes, more than CMSG_SPACE of 12
    // bytes of descriptors (32); the macros stay within it.
    unsafe {
        let c = libc::CMSG_FIRSTHDR(&msg);
        (*c).cmsg_level = libc::SOL_SOCKET;
        (*c).cmsg_type = libc::SCM_RIGHTS;
        (*c).cmsg_len = len as _;
        std::ptr::copy_nonoverlapping(fds.as_ptr(), libc::CMSG_DATA(c).cast::<RawFd>(), fds.len());
    }
    // SAFETY: the header points at buffers that live through the call.
    if unsafe { libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL) } < 0 {
        return Err(io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL));
    }
    Ok(())
}

/// Receive one child's handoff. `None` at EOF: every sender is gone.
pub(super) fn receive(sock: RawFd) -> io::Result<Option<Handoff<OwnedFd>>> {
    let mut data = [0u8; DATA_LEN];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    let mut cmsg = [0u64; 16];
    // SAFETY: msghdr is plain data; zeroed is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cmsg) as _;
    // SAFETY: the header points at buffers that live through the call.
    // MSG_CMSG_CLOEXEC: the descriptors must not leak into other children.
    let n = unsafe { libc::recvmsg(sock, &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    if n == 0 {
        return Ok(None);
    }
    let mut fds = Vec::new();
    // SAFETY: walking the control buffer the kernel filled, with libc's
    // macros, which stay within msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let bytes = (*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                let p = libc::CMSG_DATA(c).cast::<RawFd>();
                for i in 0..bytes / std::mem::size_of::<RawFd>() {
                    fds.push(OwnedFd::from_raw_fd(p.add(i).read_unaligned()));
                }
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    let refused = || io::Error::from_raw_os_error(libc::EPROTO);
    if n as usize != DATA_LEN {
        return Err(refused());
    }
    let sent_listener = data[0] & LISTENER != 0;
    let mut fds = fds.into_iter();
    let listener = if sent_listener { fds.next() } else { None };
    let (Some(exec_pipe), Some(pidfd), None) = (fds.next(), fds.next(), fds.next()) else {
        return Err(refused());
    };
    if sent_listener && listener.is_none() {
        return Err(refused());
    }
    Ok(Some(Handoff {
        listener,
        exec_pipe,
        pidfd,
        spawn_counted: data[0] & COUNTED != 0,
        pid: u32::from_ne_bytes(data[1..5].try_into().unwrap()),
        plan: u64::from_ne_bytes(data[5..].try_into().unwrap()),
    }))
}

/// The channel of the handoff: a connected `SOCK_SEQPACKET` pair (one
/// message per child, never merged or split), close-on-exec.
pub(super) fn seqpacket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut pair = [0 as RawFd; 2];
    // SAFETY: socketpair fills the two-element array.
    let r = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            pair.as_mut_ptr(),
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two new descriptors, owned from here on.
    Ok(unsafe { (OwnedFd::from_raw_fd(pair[0]), OwnedFd::from_raw_fd(pair[1])) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;

    fn close_on_exec(fd: &OwnedFd) -> bool {
        // SAFETY: F_GETFD on a descriptor we own.
        let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
        flags >= 0 && flags & libc::FD_CLOEXEC != 0
    }

    /// The pid a pidfd refers to, from its fdinfo.
    fn pid_of(pidfd: &OwnedFd) -> Option<u32> {
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", pidfd.as_raw_fd()));
        info.ok()?
            .lines()
            .find_map(|l| l.strip_prefix("Pid:"))
            .and_then(|v| v.trim().parse().ok())
    }

    #[test]
    fn each_descriptor_arrives_as_its_own_field_and_close_on_exec() {
        let (ours, theirs) = seqpacket_pair().unwrap();
        let (read_end, mut write_end) = std::io::pipe().unwrap();
        let null = std::fs::File::open("/dev/null").unwrap();
        // SAFETY: pidfd_open takes integers.
        let pidfd = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) };
        assert!(pidfd >= 0);
        // SAFETY: a new descriptor the kernel just gave us.
        let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd as RawFd) };
        let sent = Handoff {
            listener: Some(null.as_raw_fd()),
            exec_pipe: read_end.as_raw_fd(),
            pidfd: pidfd.as_raw_fd(),
            spawn_counted: true,
            pid: 0x0102_0304,
            plan: 0x0506_0708_090a_0b0c,
        };
        send(theirs.as_raw_fd(), &sent).unwrap();
        let got = receive(ours.as_raw_fd()).unwrap().unwrap();
        assert!(got.spawn_counted);
        assert_eq!(got.pid, 0x0102_0304);
        assert_eq!(got.plan, 0x0506_0708_090a_0b0c);
        let got_listener = got.listener.as_ref().unwrap();
        // The same pipe: what is written to the original arrives here.
        write_end.write_all(b"x").unwrap();
        let mut b = [0u8; 1];
        std::fs::File::from(got.exec_pipe.try_clone().unwrap())
            .read_exact(&mut b)
            .unwrap();
        assert_eq!(&b, b"x");
        assert_eq!(pid_of(&got.pidfd), Some(std::process::id()));
        let listener = std::fs::read_link(format!("/proc/self/fd/{}", got_listener.as_raw_fd()));
        assert_eq!(listener.unwrap(), std::path::Path::new("/dev/null"));
        for fd in [got_listener, &got.exec_pipe, &got.pidfd] {
            assert!(close_on_exec(fd));
        }
        // A kernel plan's child sends no listener: two descriptors, in place.
        let not_counted = Handoff {
            spawn_counted: false,
            listener: None,
            ..sent
        };
        send(theirs.as_raw_fd(), &not_counted).unwrap();
        let got = receive(ours.as_raw_fd()).unwrap().unwrap();
        assert!(!got.spawn_counted && got.listener.is_none());
        assert_eq!(pid_of(&got.pidfd), Some(std::process::id()));
    }

    #[test]
    fn a_message_without_its_descriptors_is_refused_and_eof_ends() {
        let (ours, theirs) = seqpacket_pair().unwrap();
        let mut theirs = std::fs::File::from(theirs);
        theirs.write_all(b"\x01abcdabcdabcd").unwrap();
        let e = receive(ours.as_raw_fd()).err().unwrap();
        assert_eq!(e.raw_os_error(), Some(libc::EPROTO));
        drop(theirs);
        assert!(receive(ours.as_raw_fd()).unwrap().is_none());
    }
}
