//! Which threads of this process are inside which kernel plan (each
//! registered by its thread id when it enters the plan's scope), and the
//! plans a filtered thread attached to commands: what a kernel plan's
//! supervisor asks to decide whose call it has.
//!
//! Nothing here makes a system call while holding its lock, so a thread
//! stopped in a handed-over call never holds it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use std::os::fd::OwnedFd;

use super::tree_kill::Control;
use crate::classify::Op;
use crate::fault::Shared;

/// A thread inside a kernel plan's scope.
struct Entry {
    tid: u32,
    plan: Arc<Shared>,
    /// Above zero while the gate has counted the thread's current call.
    mark: Arc<AtomicU32>,
}

/// Every thread inside a kernel plan's scope, newest last (a thread's
/// newest entry is the plan in force for it).
static ENTERED: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

fn entered() -> MutexGuard<'static, Vec<Entry>> {
    ENTERED.lock().unwrap_or_else(|p| p.into_inner())
}

/// A command's plan that a child of this thread's family runs under.
pub(super) struct Attached {
    pub(super) plan: Arc<Shared>,
    pub(super) control: Arc<Control>,
}

/// The plans attached to commands from this thread, by id.
pub(super) type AttachedPlans = Arc<Mutex<HashMap<u64, Attached>>>;

/// A kernel plan's filter: what every thread carrying it needs, whether it
/// installed the filter or inherited it from the thread that did.
pub(super) struct FilterInfo {
    /// The operations it watches, fixed at its install.
    pub(super) ops: Vec<Op>,
    /// The child end of its supervisor's socket, for the commands these
    /// threads attach plans to (each spawn's hook sends on it).
    pub(super) sock: OwnedFd,
    pub(super) attached: AttachedPlans,
}

/// The probe a thread makes to learn whether it carries a kernel plan's
/// filter it didn't install (one inherited from the thread that started
/// it): `execve(NULL, PROBE, 0)`; a child between fork and exec names the
/// filter it asks about instead of 0. Unfiltered, the kernel answers
/// EFAULT and runs nothing; a kernel plan's supervisor answers
/// [`PROBE_ANSWER`] instead, after putting its filter's info in
/// [`CARRIERS`] under the thread's id. (An outer supervisor that doesn't
/// know the probe lets it through to the kernel's EFAULT.)
pub(super) const PROBE: u64 = 0x666c_616b_6570_726f; // "flakepro"
pub(super) const PROBE_ANSWER: i32 = libc::ENOTRECOVERABLE;
/// The answer to a probe naming another filter (a child asks each
/// candidate filter in turn: see `thread_plan::Announce`).
pub(super) const PROBE_OTHER: i32 = libc::EOWNERDEAD;

/// Probing thread's id to the filter it carries, until it takes it.
static CARRIERS: Mutex<Vec<(u32, Arc<FilterInfo>)>> = Mutex::new(Vec::new());

/// The supervisor's side of the probe: thread `tid` carries `info`.
pub(super) fn note_carrier(tid: u32, info: Arc<FilterInfo>) {
    let mut all = CARRIERS.lock().unwrap_or_else(|p| p.into_inner());
    all.retain(|(t, _)| *t != tid);
    all.push((tid, info));
}

/// The probing thread's side: the filter its supervisor noted for it.
pub(super) fn take_carrier(tid: u32) -> Option<Arc<FilterInfo>> {
    let mut all = CARRIERS.lock().unwrap_or_else(|p| p.into_inner());
    let i = all.iter().position(|(t, _)| *t == tid)?;
    Some(all.swap_remove(i).1)
}

/// A thread's place in [`ENTERED`], removed on drop.
struct Registration {
    tid: u32,
    plan: usize,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut all = entered();
        let mine = |e: &Entry| e.tid == self.tid && Arc::as_ptr(&e.plan) as usize == self.plan;
        if let Some(i) = all.iter().rposition(mine) {
            all.remove(i);
        }
    }
}

/// The calling thread entered `plan`: from now on the supervisor counts
/// its calls under it, until the returned value drops.
pub(super) fn register(plan: &Arc<Shared>) -> crate::fault::Entered {
    let tid = gettid();
    entered().push(Entry {
        tid,
        plan: plan.clone(),
        mark: crate::fault::thread_mark(),
    });
    Box::new(Registration {
        tid,
        plan: Arc::as_ptr(plan) as usize,
    })
}

pub(super) fn gettid() -> u32 {
    // SAFETY: gettid takes nothing and can't fail.
    unsafe { libc::gettid() as u32 }
}

/// For a call of thread `tid` of this process: the plan in force for it,
/// unless it has none or the gate counted the call.
pub(super) fn plan_of_thread(tid: u32) -> Option<Arc<Shared>> {
    let all = entered();
    let e = all.iter().rev().find(|e| e.tid == tid)?;
    (e.mark.load(Ordering::SeqCst) == 0).then(|| e.plan.clone())
}

/// Is thread `tid` inside a kernel plan's scope?
pub(super) fn is_entered(tid: u32) -> bool {
    entered().iter().any(|e| e.tid == tid)
}

/// The threads inside a kernel plan's scope now.
pub(super) fn entered_tids() -> Vec<u32> {
    let mut tids: Vec<u32> = entered().iter().map(|e| e.tid).collect();
    tids.sort_unstable();
    tids.dedup();
    tids
}
