//! Reading a traced process's memory: the path and `open_how` arguments of a
//! call the supervisor was notified of live in the caller's address space,
//! not in the notification. `process_vm_readv` reads them without stopping
//! the caller (it is blocked in the notified call anyway); the kernel checks
//! the remote range, so a bad address is an error (EFAULT), never ours.

use std::io;

/// Copy the bytes at `addr` in process `tid` into `buf`: how many came.
fn read(tid: u32, addr: u64, buf: &mut [u8]) -> io::Result<usize> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` covers `buf`, which we own; the remote side is
    // checked by the kernel (EFAULT), never touched by us.
    let n = unsafe { libc::process_vm_readv(tid as libc::pid_t, &local, 1, &remote, 1, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// The 8 bytes at `addr` in process `tid` (`struct open_how`'s flags).
pub(super) fn read_u64(tid: u32, addr: u64) -> io::Result<u64> {
    let mut b = [0u8; 8];
    match read(tid, addr, &mut b)? {
        8 => Ok(u64::from_ne_bytes(b)),
        _ => Err(io::Error::from_raw_os_error(libc::EFAULT)),
    }
}

/// A NUL-terminated string from process `tid`, read a page at a time: a
/// string may end just before an unmapped page, and process_vm_readv(2)
/// promises partial transfers only per iovec, so a read across into that
/// page may fail as a whole (Linux today returns the bytes before it).
/// ENAMETOOLONG once PATH_MAX bytes have come without a NUL (the page being
/// read is finished first, so a string up to a page longer than PATH_MAX
/// still comes back whole).
pub(super) fn read_c_string(tid: u32, mut addr: u64) -> io::Result<Vec<u8>> {
    const PAGE: u64 = 4096;
    let mut out = Vec::new();
    let mut buf = [0u8; PAGE as usize];
    while out.len() < libc::PATH_MAX as usize {
        let chunk = (PAGE - addr % PAGE) as usize;
        let n = read(tid, addr, &mut buf[..chunk])?;
        if n == 0 {
            break;
        }
        if let Some(z) = buf[..n].iter().position(|&b| b == 0) {
            out.extend_from_slice(&buf[..z]);
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
        addr += n as u64;
    }
    Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two pages, the second unreadable: what a string at the end of a
    /// caller's mapping looks like. PROT_NONE rather than unmapped: another
    /// test's mapping could land in a hole.
    struct LastPage(*mut u8);

    impl LastPage {
        const PAGE: usize = 4096;

        fn new() -> Self {
            // SAFETY: an anonymous private mapping; no memory of ours is
            // involved until it succeeds.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    2 * Self::PAGE,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            assert_ne!(p, libc::MAP_FAILED);
            // SAFETY: the second page of the mapping just made, which
            // nothing reads.
            let r = unsafe {
                libc::mprotect(
                    p.cast::<u8>().add(Self::PAGE).cast(),
                    Self::PAGE,
                    libc::PROT_NONE,
                )
            };
            assert_eq!(r, 0);
            LastPage(p.cast())
        }

        /// Put `bytes` so that they end at the page's last byte; their address.
        fn put_at_end(&self, bytes: &[u8]) -> u64 {
            let start = Self::PAGE - bytes.len();
            // SAFETY: `start..PAGE` lies in the mapped first page, which
            // only this value uses.
            let page = unsafe { std::slice::from_raw_parts_mut(self.0, Self::PAGE) };
            page[start..].copy_from_slice(bytes);
            self.0 as u64 + start as u64
        }
    }

    impl Drop for LastPage {
        fn drop(&mut self) {
            // SAFETY: the mapping made in `new`, which nothing uses now.
            unsafe { libc::munmap(self.0.cast(), 2 * Self::PAGE) };
        }
    }

    fn me() -> u32 {
        std::process::id()
    }

    #[test]
    fn reads_a_path_from_this_process() {
        let path = c"/some/dir/../file";
        let got = read_c_string(me(), path.as_ptr() as u64).unwrap();
        assert_eq!(got, b"/some/dir/../file");
        let flags: u64 = 0o1101;
        assert_eq!(read_u64(me(), &flags as *const u64 as u64).unwrap(), 0o1101);
    }

    #[test]
    fn a_string_ending_on_the_last_mapped_byte_is_read() {
        let page = LastPage::new();
        // A read of a whole page from here would reach the unreadable one
        // (this kernel returns such a read short; the man page allows a
        // failure).
        let addr = page.put_at_end(b"/tmp/x\0");
        assert_eq!(read_c_string(me(), addr).unwrap(), b"/tmp/x");
    }

    #[test]
    fn a_string_across_a_page_boundary_is_read_whole() {
        let mut buf = vec![b'a'; 3 * 4096];
        let base = buf.as_ptr() as usize;
        let boundary = (base / 4096 + 1) * 4096 - base;
        let start = boundary - 5;
        buf[start + 10] = 0;
        let got = read_c_string(me(), buf.as_ptr() as u64 + start as u64).unwrap();
        assert_eq!(got, b"aaaaaaaaaa");
    }

    #[test]
    fn an_unterminated_string_at_an_unreadable_page_is_an_error() {
        let page = LastPage::new();
        let addr = page.put_at_end(b"/no/nul");
        let e = read_c_string(me(), addr).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EFAULT));
        // Half a u64 before the hole: not a value.
        let addr = page.put_at_end(&[1, 2, 3, 4]);
        assert_eq!(
            read_u64(me(), addr).unwrap_err().raw_os_error(),
            Some(libc::EFAULT)
        );
    }

    #[test]
    fn a_string_with_no_nul_within_path_max_is_refused() {
        // The NUL is there, far past PATH_MAX: reading stops before it.
        let mut long = vec![b'a'; 3 * libc::PATH_MAX as usize];
        long.push(0);
        let e = read_c_string(me(), long.as_ptr() as u64).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENAMETOOLONG));
    }
}
