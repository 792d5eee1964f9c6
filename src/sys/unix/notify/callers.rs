//! Who made a notified call. A notification names the calling thread; the
//! plan counts per process and records the program, so each thread id is
//! mapped to its thread group (`/proc/TID/status`), the group's executable
//! (`/proc/PID/exe`) and whether that program is exempt. Looked up once per
//! thread, not on every call: that takes three /proc reads.
//! An exec changes the executable, and gives a non-leader thread that execs
//! the leader's id: the supervisor forgets the whole process then.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::exempt_programs::is_exempt;

/// The process behind a thread id, as it was when first seen.
pub(super) struct Caller {
    /// The thread group's id: what the plan counts per process by.
    pub(super) pid: u32,
    /// What `/proc/PID/exe` named (empty if it couldn't be read).
    pub(super) exe: PathBuf,
    /// A fake command's shim: its calls are its bookkeeping, not the code
    /// under test.
    pub(super) exempt: bool,
}

/// Thread id to [`Caller`], for every thread that made a watched call.
#[derive(Default)]
pub(super) struct Callers {
    known: HashMap<u32, Caller>,
}

impl Callers {
    pub(super) fn get(&mut self, tid: u32) -> &Caller {
        self.known.entry(tid).or_insert_with(|| {
            let pid = thread_group(tid).unwrap_or(tid);
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            let exempt = is_exempt(Path::new(&format!("/proc/{pid}/exe")));
            Caller { pid, exe, exempt }
        })
    }

    /// Thread `tid` called exec: forget every thread of its process.
    pub(super) fn forget_process_of(&mut self, tid: u32) {
        if let Some(gone) = self.known.remove(&tid) {
            self.known.retain(|_, c| c.pid != gone.pid);
        }
    }
}

/// The thread group (process id) of thread `tid`.
fn thread_group(tid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// A thread of this process that isn't its leader, alive until dropped.
    struct OtherThread {
        tid: u32,
        release: Option<mpsc::Sender<()>>,
        handle: Option<std::thread::JoinHandle<()>>,
    }

    impl OtherThread {
        fn start() -> Self {
            let (tid_tx, tid_rx) = mpsc::channel();
            let (release, wait) = mpsc::channel::<()>();
            let handle = std::thread::spawn(move || {
                // "PID/task/TID"
                let link = std::fs::read_link("/proc/thread-self").unwrap();
                let tid = link.file_name().unwrap().to_str().unwrap().parse().unwrap();
                tid_tx.send(tid).unwrap();
                let _ = wait.recv();
            });
            OtherThread {
                tid: tid_rx.recv().unwrap(),
                release: Some(release),
                handle: Some(handle),
            }
        }
    }

    impl Drop for OtherThread {
        fn drop(&mut self) {
            drop(self.release.take());
            let _ = self.handle.take().unwrap().join();
        }
    }

    #[test]
    fn a_thread_is_known_by_its_process_and_program() {
        let me = std::process::id();
        let t = OtherThread::start();
        assert_ne!(t.tid, me);
        let mut callers = Callers::default();
        let c = callers.get(t.tid);
        assert_eq!(c.pid, me);
        assert_eq!(c.exe, std::fs::read_link("/proc/self/exe").unwrap());
        assert!(!c.exempt);
        assert_eq!(callers.get(me).pid, me);
    }

    #[test]
    fn an_exec_forgets_every_thread_of_its_process_and_only_those() {
        let me = std::process::id();
        let t = OtherThread::start();
        let mut callers = Callers::default();
        callers.get(me);
        callers.get(t.tid);
        let other = Caller {
            pid: 1,
            exe: PathBuf::from("/sbin/init"),
            exempt: false,
        };
        callers.known.insert(1, other);
        callers.forget_process_of(t.tid);
        let mut left: Vec<u32> = callers.known.keys().copied().collect();
        left.sort();
        assert_eq!(left, [1]);
    }
}
