//! `Strategy::ChildWriter`: the file is created, written and closed by a
//! short-lived child process, so its writable descriptor never exists in
//! this process, and no sibling thread's fork can inherit it.
//!
//! Linux: `clone(CLONE_VM | CLONE_VFORK)`, as glibc's posix_spawn does. The
//! child shares our memory instead of copying the page tables, so the cost
//! does not grow with this process's size (fork: 8.5 ms per install with
//! 200 MB resident, `benches/install.rs --rss-mb 200`), and the cloning
//! thread is suspended until the child has exited. Other Unixes (Android
//! included) fork, whose cost grows with resident memory.
//!
//! The child runs no Rust code that could allocate, lock or unwind: only
//! syscalls, on memory prepared before the clone. Its results come back
//! through a `MAP_SHARED` page, so that an errno of any size survives and
//! the parent knows whether a child that died had created the file.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::time::Duration;

use crate::fault::Verdict;
use crate::sys::types::ChildStep;

/// What the fault plan decided for the child's steps, decided before the
/// clone (the child can't consult a plan): applied by the child at the step
/// where the real error would come.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ChildFaults {
    pub(crate) write: Verdict,
    pub(crate) close: Verdict,
}

/// Which step of the child's a failure came from.
const STEP_OPEN: u32 = 0;
const STEP_WRITE: u32 = 1;
const STEP_CLOSE: u32 = 2;

fn step_of(step: u32) -> ChildStep {
    match step {
        STEP_WRITE => ChildStep::Write,
        STEP_CLOSE => ChildStep::Close,
        _ => ChildStep::Open,
    }
}

/// What the child reports, in a page shared with it.
#[repr(C)]
struct Report {
    /// The step the child is at (`STEP_*`).
    step: AtomicU32,
    /// 1 from just before the child's exclusive create until it has removed
    /// the file after a failure: while set, a file at the path (if any) is
    /// the child's, since nobody else can know the random name.
    created: AtomicU32,
    /// 0, or the errno of the failed step.
    result: AtomicI32,
    /// 1 once the child is done: `result` is final.
    done: AtomicU32,
}

/// Everything the child reads; prepared before the clone.
struct Job<'a> {
    path: &'a CString,
    body: &'a [u8],
    write_delay: libc::timespec,
    write_fail: i32,
    close_delay: libc::timespec,
    close_fail: i32,
    report: *const Report,
}

fn timespec(d: Duration) -> libc::timespec {
    libc::timespec {
        tv_sec: d.as_secs().min(libc::time_t::MAX as u64) as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    }
}

/// Create `path` (exclusively, mode 0o600) holding `body`, from a child
/// process. On error nothing is left at `path` by this call, even when the
/// child was killed after creating it.
pub(crate) fn write_in_child(
    path: &Path,
    body: &[u8],
    faults: ChildFaults,
) -> Result<(), (ChildStep, io::Error)> {
    let setup = |e: io::Error| (ChildStep::Start, e);
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|e| setup(e.into()))?;
    let page = SharedPage::new().map_err(setup)?;
    let job = Job {
        path: &c_path,
        body,
        write_delay: timespec(faults.write.delay),
        write_fail: faults.write.fail.unwrap_or(0),
        close_delay: timespec(faults.close.delay),
        close_fail: faults.close.fail.unwrap_or(0),
        report: page.report(),
    };
    let pid = start_child(&job).map_err(setup)?;
    // With CLONE_VFORK the child has exited by now, and the report is
    // final even if waitpid can't tell us more (SIGCHLD ignored, or
    // another thread's waitpid(-1) reaped it first).
    let waited = wait(pid);
    // SAFETY: the page outlives the child, which has exited (or, after a
    // fork whose wait failed, writes only atomics we read here).
    let report = unsafe { &*page.report() };
    let step = step_of(report.step.load(Ordering::Acquire));
    if report.done.load(Ordering::Acquire) == 1 {
        return match report.result.load(Ordering::Acquire) {
            0 => Ok(()),
            errno => Err((step, io::Error::from_raw_os_error(errno))),
        };
    }
    // Killed (SIGKILL, the OOM killer) mid-way: its file is ours to remove.
    if report.created.load(Ordering::Acquire) == 1 {
        // SAFETY: unlink of a NUL-terminated path we own.
        unsafe { libc::unlink(c_path.as_ptr()) };
    }
    let why = match waited {
        Ok(status) => format!("died (wait status {status:#x})"),
        Err(e) => format!("did not finish, and waiting for it failed: {e}"),
    };
    Err((
        step,
        io::Error::other(format!(
            "the child process writing {} {why}",
            path.display()
        )),
    ))
}

fn wait(pid: libc::pid_t) -> io::Result<libc::c_int> {
    let mut status = 0;
    loop {
        // SAFETY: waits for our own child; `status` is ours.
        if unsafe { libc::waitpid(pid, &mut status, 0) } == pid {
            return Ok(status);
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINTR) {
            return Err(e);
        }
    }
}

/// One anonymous page shared with the child (`MAP_SHARED`, so that a forked
/// child's writes reach us too).
struct SharedPage(*mut libc::c_void, usize);

impl SharedPage {
    fn new() -> io::Result<Self> {
        let len = std::mem::size_of::<Report>();
        // SAFETY: a fresh anonymous mapping, checked below; zeroed by the
        // kernel, which is a valid Report (two zero atomics).
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANON,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(SharedPage(p, len))
    }

    fn report(&self) -> *const Report {
        self.0.cast()
    }
}

impl Drop for SharedPage {
    fn drop(&mut self) {
        // SAFETY: our own mapping, unmapped once.
        unsafe { libc::munmap(self.0, self.1) };
    }
}

/// Block every signal for the lifetime of the guard: the child inherits the
/// mask and never unblocks it, so no signal handler ever runs in a child
/// that shares our memory.
struct SignalsBlocked(libc::sigset_t);

impl SignalsBlocked {
    fn new() -> Self {
        // SAFETY: sigset_t is plain data; both sets are ours.
        unsafe {
            let mut all: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            set_mask(&all, &mut old);
            SignalsBlocked(old)
        }
    }
}

impl Drop for SignalsBlocked {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved in new().
        unsafe { set_mask(&self.0, std::ptr::null_mut()) };
    }
}

/// Linux: the raw syscall, as glibc's posix_spawn does: `pthread_sigmask`
/// quietly keeps glibc's internal signals (SIGCANCEL, SIGSETXID) unblocked,
/// and their handlers must not run in a child that shares our memory.
///
/// # Safety
/// `set` and `old` (or null) must be valid.
#[cfg(target_os = "linux")]
unsafe fn set_mask(set: *const libc::sigset_t, old: *mut libc::sigset_t) {
    // SAFETY: per the contract; the kernel's sigset is 8 bytes.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            set,
            old,
            8usize,
        )
    };
}

/// # Safety
/// `set` and `old` (or null) must be valid.
#[cfg(not(target_os = "linux"))]
unsafe fn set_mask(set: *const libc::sigset_t, old: *mut libc::sigset_t) {
    // SAFETY: per the contract.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, set, old) };
}

#[cfg(target_os = "linux")]
fn start_child(job: &Job<'_>) -> io::Result<libc::pid_t> {
    extern "C" fn child_main(job: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `job` is the Job below, alive while the parent is
        // suspended by CLONE_VFORK; we are that clone's child, with every
        // signal blocked.
        unsafe { child_write(&*(job as *const Job<'_>)) };
        0
    }
    let stack = Stack::new()?;
    let _blocked = SignalsBlocked::new();
    // SAFETY: the child runs child_main on its own stack and exits; with
    // CLONE_VFORK this thread resumes only after that.
    let pid = unsafe {
        libc::clone(
            child_main,
            stack.top(),
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            job as *const Job<'_> as *mut libc::c_void,
        )
    };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(pid)
}

#[cfg(not(target_os = "linux"))]
fn start_child(job: &Job<'_>) -> io::Result<libc::pid_t> {
    let _blocked = SignalsBlocked::new();
    // SAFETY: between fork and _exit the child calls only child_write, which
    // makes async-signal-safe calls on memory prepared before the fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        // SAFETY: as above; _exit skips atexit handlers and unwinding.
        unsafe {
            child_write(job);
            libc::_exit(0);
        }
    }
    Ok(pid)
}

/// The clone child's stack: 64 KiB, mmap'ed, with a guard page below it, so
/// an overflow faults instead of writing into our heap.
#[cfg(target_os = "linux")]
struct Stack {
    base: *mut libc::c_void,
    len: usize,
}

#[cfg(target_os = "linux")]
impl Stack {
    const SIZE: usize = 64 * 1024;

    fn new() -> io::Result<Self> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
        let len = Self::SIZE + page;
        // SAFETY: a fresh private mapping, checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Stack { base, len };
        // SAFETY: the lowest page of our own mapping becomes the guard.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    fn top(&self) -> *mut libc::c_void {
        // 16-byte aligned: mmap returns page-aligned memory and len is a
        // multiple of the page size.
        self.base.wrapping_byte_add(self.len)
    }
}

#[cfg(target_os = "linux")]
impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: our own mapping; the child has exited (CLONE_VFORK).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// Close every descriptor above stderr, so the child does not itself hold
/// other threads' writable descriptors while it runs (it would be a fork
/// race source like any other child). Linux 5.9+; on older kernels (ENOSYS)
/// the child keeps them for its lifetime, about 0.2 ms.
///
/// # Safety
/// Only in the writer child.
#[cfg(target_os = "linux")]
unsafe fn close_inherited() {
    // SAFETY: a plain syscall; failure (ENOSYS) is tolerated.
    unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) };
}

/// Elsewhere the child keeps its inherited descriptors until it exits.
///
/// # Safety
/// Only in the writer child.
#[cfg(not(target_os = "linux"))]
unsafe fn close_inherited() {}

/// An injected delay, in the child (signals are blocked: no EINTR). No
/// syscall at all when there is none.
fn pause(t: &libc::timespec) {
    if t.tv_sec != 0 || t.tv_nsec != 0 {
        // SAFETY: nanosleep on a timespec we borrow; async-signal-safe.
        unsafe { libc::nanosleep(t, std::ptr::null_mut()) };
    }
}

/// The child's whole work: create, write, close, each step failing where
/// the plan said; on failure the file is removed. The result goes to the
/// shared report.
///
/// # Safety
/// Must run only in the child made by [`start_child`], with every signal
/// blocked, and `job` valid for the call. With `CLONE_VM` the child shares
/// all of the parent's memory, including the suspended parent thread's
/// thread-local storage, and so its `errno`: reading `errno` here reads that
/// shared slot, which nothing else touches while the parent is suspended.
/// Nothing here may allocate, take a lock or unwind (the allocator's and
/// std's locks may be held by threads that no longer exist in a forked
/// child, or by the suspended parent).
unsafe fn child_write(job: &Job<'_>) {
    // SAFETY: the report page outlives the child (the parent unmaps it after
    // waitpid).
    let report = unsafe { &*job.report };
    let errno = || {
        io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO)
    };
    report.step.store(STEP_OPEN, Ordering::Release);
    // SAFETY: see close_inherited.
    unsafe { close_inherited() };
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let finish = |code: i32| {
        report.result.store(code, Ordering::Release);
        report.done.store(1, Ordering::Release);
    };
    // Set before the create, so that a kill between the create and the
    // store can't leave a file the parent does not know about.
    report.created.store(1, Ordering::Release);
    // SAFETY: a NUL-terminated path prepared before the clone.
    let fd = unsafe { libc::open(job.path.as_ptr(), flags, 0o600 as libc::c_uint) };
    if fd < 0 {
        let e = errno();
        report.created.store(0, Ordering::Release);
        return finish(e);
    }
    let remove = |code: i32| {
        // SAFETY: our own path; the parent never has to guess whether a file
        // by that name is its to remove.
        unsafe { libc::unlink(job.path.as_ptr()) };
        report.created.store(0, Ordering::Release);
        finish(code);
    };
    let fail = |code: i32| {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(fd) };
        remove(code);
    };
    report.step.store(STEP_WRITE, Ordering::Release);
    pause(&job.write_delay);
    if job.write_fail != 0 {
        return fail(job.write_fail);
    }
    let mut rest = job.body;
    while !rest.is_empty() {
        // SAFETY: writes from a slice we borrow.
        let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return fail(e);
        }
        // write returning 0 for a non-empty buffer would loop forever: EIO.
        match usize::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .and_then(|n| rest.get(n..))
        {
            Some(r) => rest = r,
            None => return fail(libc::EIO),
        }
    }
    report.step.store(STEP_CLOSE, Ordering::Release);
    pause(&job.close_delay);
    // SAFETY: our own descriptor, closed once. Linux releases it even when
    // close reports an error, so an error here is not followed by a retry.
    let closed = unsafe { libc::close(fd) };
    if closed < 0 && errno() != libc::EINTR {
        return remove(errno());
    }
    if job.close_fail != 0 {
        return remove(job.close_fail);
    }
    finish(0);
}
