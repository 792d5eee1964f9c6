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

use super::tree_kill::Control;
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

fn gettid() -> u32 {
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
