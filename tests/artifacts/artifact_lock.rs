//! ArtifactLock across real processes: this test binary, re-run as the
//! child (`--ignored --exact child_role`), is the other process.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::{ArtifactLock, Op};

const ROLE: &str = "FLAKEPROOF_LOCK_ROLE";
const DIR: &str = "FLAKEPROOF_LOCK_DIR";

/// What a child process does, chosen by the parent through the environment.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_role() {
    let dir = PathBuf::from(std::env::var(DIR).expect("run by a parent test"));
    let role = std::env::var(ROLE).unwrap();
    let locks = ArtifactLock::new(&dir);
    match role.as_str() {
        // Hold "app" until stdin closes.
        "hold" => {
            let _g = locks.lock("app").unwrap();
            println!("locked");
            std::io::stdout().flush().unwrap();
            let _ = std::io::stdin().read_line(&mut String::new());
        }
        // Critical sections on "app": each checks nobody else is inside.
        "sections" | "sections-unlocked" => {
            let locked = role == "sections";
            let (marker, counter, seen) = (
                dir.join("inside"),
                dir.join("counter"),
                dir.join("overlap-seen"),
            );
            let mut overlaps = 0;
            let rounds = if locked { 500 } else { 5000 };
            for _ in 0..rounds {
                if !locked && seen.exists() {
                    break; // the control has made its point
                }
                let _g = locked.then(|| locks.lock("app").unwrap());
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&marker)
                {
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        overlaps += 1;
                        let _ = std::fs::write(&seen, "");
                        continue;
                    }
                    r => drop(r.unwrap()),
                }
                let n: u64 = std::fs::read_to_string(&counter)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                std::fs::write(&counter, (n + 1).to_string()).unwrap();
                std::fs::remove_file(&marker).unwrap();
            }
            println!("overlaps={overlaps}");
        }
        other => panic!("unknown role {other}"),
    }
}

fn child(dir: &Path, role: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "artifact_lock::child_role",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DIR, dir)
        .env(ROLE, role)
        .env_remove("FLAKEPROOF_FAULTS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A child holding "app"; returns once it has said so.
fn holder(dir: &Path) -> Child {
    let mut c = child(dir, "hold");
    let mut out = BufReader::new(c.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the holder exited before locking"
        );
        if line.trim_end().ends_with("locked") {
            break;
        }
    }
    // Keep reading what it prints later, so that it never writes into a
    // closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    c
}

fn overlaps_of(children: Vec<Child>) -> u64 {
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            text.lines()
                .find_map(|l| {
                    l.split_once("overlaps=")
                        .map(|(_, n)| n.trim().parse::<u64>().unwrap())
                })
                .unwrap_or_else(|| panic!("{text}"))
        })
        .sum()
}

#[test]
fn eight_processes_take_turns_on_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<Child> = (0..8).map(|_| child(dir.path(), "sections")).collect();
    assert_eq!(overlaps_of(children), 0);
    let total: u64 = std::fs::read_to_string(dir.path().join("counter"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, 8 * 500, "a section was lost");
}

#[test]
fn control_the_same_sections_without_the_lock_overlap() {
    // The harness can fail: without the lock, sections meet (each child
    // stops once one overlap has been seen; at most 8 x 5000 sections).
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<Child> = (0..8)
        .map(|_| child(dir.path(), "sections-unlocked"))
        .collect();
    assert!(overlaps_of(children) >= 1, "no overlap without a lock");
}

#[test]
fn different_keys_never_block_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = holder(dir.path()); // another process holds "app"
    let locks = ArtifactLock::new(dir.path());
    assert!(
        locks.try_lock("app").unwrap().is_none(),
        "held by the other process"
    );
    assert!(locks.try_lock("other-key").unwrap().is_some());
    assert!(locks.try_lock_shared("app").unwrap().is_none());
    drop(other.stdin.take());
    other.wait().unwrap();
}

#[test]
fn a_killed_holder_releases_the_lock_at_once_and_the_file_keeps_its_inode() {
    let dir = tempfile::tempdir().unwrap();
    let locks = ArtifactLock::new(dir.path());
    let file_id = |p: &Path| {
        #[cfg(unix)]
        return std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        #[cfg(not(unix))]
        return std::fs::metadata(p).map(|_| 0u64).unwrap();
    };
    let mut first_inode = None;
    // Under Wine, creating hundreds of processes in a row now and then fails
    // inside Wine itself (ERROR_INTERNAL_ERROR, 1359, seen in CI): fewer
    // cycles there.
    let cycles = if cfg!(windows) { 20 } else { 200 };
    for i in 0..cycles {
        let mut h = holder(dir.path());
        let recorded = locks
            .holder("app")
            .unwrap()
            .expect("the holder recorded itself");
        assert_eq!(recorded.pid, h.id(), "cycle {i}");
        h.kill().unwrap(); // SIGKILL: no destructor runs
        h.wait().unwrap();
        // Reaped: the kernel has closed its descriptors, and its lock.
        let g = locks.try_lock("app").unwrap();
        assert!(
            g.is_some(),
            "cycle {i}: the dead holder's lock is still held"
        );
        let inode = file_id(&locks.lock_file("app"));
        assert_eq!(
            *first_inode.get_or_insert(inode),
            inode,
            "cycle {i}: the lock file was replaced"
        );
    }
}

#[test]
fn a_timeout_names_the_holder_and_the_wait_is_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = holder(dir.path());
    let pid = h.id();
    let told = Arc::new(AtomicU32::new(0));
    let t = told.clone();
    let locks = ArtifactLock::new(dir.path())
        .timeout(Duration::from_millis(50))
        .on_wait(move |w| {
            assert_eq!(w.holder.as_ref().map(|h| h.pid), Some(pid));
            t.fetch_add(1, Ordering::SeqCst);
        });
    let e = locks.lock("app").unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    assert!(e.to_string().contains(&format!("pid {pid}")), "{e}");
    assert!(
        e.to_string().contains("child_role"),
        "the holder's command: {e}"
    );
    assert_eq!(told.load(Ordering::SeqCst), 1);

    // Waiting that succeeds: the holder is let go from the announcement
    // itself, so no timer decides anything.
    let stdin = Arc::new(Mutex::new(h.stdin.take()));
    let told = Arc::new(AtomicU32::new(0));
    let t = told.clone();
    let locks = ArtifactLock::new(dir.path())
        .timeout(Duration::from_secs(120))
        .on_wait(move |_| {
            t.fetch_add(1, Ordering::SeqCst);
            drop(stdin.lock().unwrap().take());
        });
    let g = locks.lock("app").unwrap();
    assert_eq!(told.load(Ordering::SeqCst), 1, "announced exactly once");
    assert_eq!(
        locks.holder("app").unwrap().unwrap().pid,
        std::process::id()
    );
    drop(g);
    h.wait().unwrap();
}

#[test]
fn a_fault_plan_can_make_a_free_lock_look_contended() {
    let dir = tempfile::tempdir().unwrap();
    let busy = if cfg!(windows) {
        "ERROR_LOCK_VIOLATION"
    } else {
        "EWOULDBLOCK"
    };
    let g = FaultPlan::parse(&format!("lock(*/.app.lock)={busy}@1..3"))
        .unwrap()
        .activate();
    let told = Arc::new(AtomicU32::new(0));
    let t = told.clone();
    let locks = ArtifactLock::new(dir.path()).on_wait(move |_| {
        t.fetch_add(1, Ordering::SeqCst);
    });
    let _held = locks.lock("app").unwrap();
    assert_eq!(g.attempts(Op::Lock, "*/.app.lock"), 4);
    assert_eq!(told.load(Ordering::SeqCst), 1);
}

#[test]
fn keys_that_are_not_file_names_are_refused_and_touch_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["", "..", "a/b", "x\0y"] {
        let e = ArtifactLock::new(dir.path()).lock(key).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{key:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn in_one_process_guards_exclude_each_other_like_processes_do() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (ArtifactLock::new(dir.path()), ArtifactLock::new(dir.path()));
    // Two ArtifactLocks: two descriptions, which flock keeps apart.
    let held = a.lock("app").unwrap();
    assert!(b.try_lock("app").unwrap().is_none());
    assert!(b.try_lock_shared("app").unwrap().is_none());
    drop(held);
    // One ArtifactLock, one description: its own count keeps guards apart.
    let (r1, r2) = (a.lock_shared("app").unwrap(), a.lock_shared("app").unwrap());
    assert!(a.try_lock("app").unwrap().is_none());
    assert!(
        b.try_lock("app").unwrap().is_none(),
        "the shared lock is the OS's too"
    );
    assert!(b.try_lock_shared("app").unwrap().is_some());
    drop(r1);
    assert!(a.try_lock("app").unwrap().is_none(), "one reader is left");
    drop(r2);
    assert!(a.try_lock("app").unwrap().is_some());
    assert!(
        a.clone().try_lock("app").unwrap().is_some(),
        "released for clones too"
    );
}
