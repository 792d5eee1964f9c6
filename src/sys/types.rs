//! What the OS doors tell the portable layer: filesystem kinds, how the
//! barrier decided, which child-writer step failed.

/// What kind of filesystem a path is on, as far as the drain barrier cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))]
pub(crate) enum FsKind {
    /// Known local: leases and flock answer about this machine's writers.
    Local(&'static str),
    /// A network filesystem: writers on other clients are invisible, and a
    /// lease may be refused for reasons that have nothing to do with writers.
    Network(&'static str),
    /// FUSE: depends on the filesystem behind it.
    Fuse,
    /// Anything else.
    Unknown,
}

/// What an install needs to know about its directory, from one stat of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DirFacts {
    pub(crate) kind: FsKind,
    /// The device, to say [`note_leases_fail`](crate::sys::note_leases_fail).
    pub(crate) dev: u64,
    /// Owned by us and writable by nobody else: no other user can replace
    /// a file in it between our close and our reopen.
    pub(crate) private: bool,
    /// The read lease alone rules writers out here (Linux, a local
    /// filesystem, leases not seen failing on this device): the writer's
    /// flock would never be asked.
    pub(crate) lease_decides: bool,
}

/// How the drain barrier knew that no writer was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))]
pub(crate) enum Probe {
    /// Linux `F_SETLEASE(F_RDLCK)`: refused exactly while the inode's write
    /// count is above zero, the same count execve checks for ETXTBSY.
    Lease,
    /// `flock` on a new description: granted once every copy of the old,
    /// locked description is closed (golang/go#22315, amonakov 2020).
    Flock,
    /// The probes could not settle it on this filesystem (no lease, or a
    /// refusal flock never confirmed, where flock alone is no evidence): the
    /// installer writes the file from a child process instead.
    Undecided,
}

/// Outcome of the drain barrier.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drain {
    pub(crate) probe: Probe,
    /// Probes that found a writer still there before the all-clear.
    pub(crate) busy_probes: u32,
}

/// Which step of the child writer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))]
pub(crate) enum ChildStep {
    /// Preparing or starting the child (mmap, clone or fork).
    Start,
    Open,
    Write,
    Close,
}

/// The shield's counters, kept by the supervisor that holds the execs and
/// read by [`crate::shield::Shield::report`]. Atomics: the supervisor's
/// thread writes while the test's threads may read.
#[derive(Debug, Default)]
pub(crate) struct ShieldStats {
    /// How long an exec may be held before it goes on regardless.
    pub(crate) budget: std::time::Duration,
    /// Exec calls whose file was there to check.
    pub(crate) execs: std::sync::atomic::AtomicU64,
    /// Execs held because their file had a writer (a restarted exec once).
    pub(crate) held: std::sync::atomic::AtomicU64,
    /// Held execs the budget let go while the writer was still there.
    pub(crate) released_by_budget: std::sync::atomic::AtomicU64,
    /// Execs let go unchecked: a filesystem without leases, or a path that
    /// couldn't be read from the caller.
    pub(crate) unchecked: std::sync::atomic::AtomicU64,
    /// Execs of another user's file, let go at once: without CAP_LEASE the
    /// lease is refused, and only that user (or root) could be writing it.
    pub(crate) not_ours: std::sync::atomic::AtomicU64,
    /// Process trees under the shield whose processes still run.
    pub(crate) trees: std::sync::atomic::AtomicU64,
    /// Sum and maximum of the holds, in nanoseconds.
    pub(crate) total_hold_ns: std::sync::atomic::AtomicU64,
    pub(crate) longest_hold_ns: std::sync::atomic::AtomicU64,
}
