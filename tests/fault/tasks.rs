//! Plans that follow a task (`FaultScope::scoped`): a future's every poll
//! runs inside its plan, whichever thread polls it. First with the threads
//! chosen here (each poll on the next of four threads, so the migration is
//! certain), then on a tokio multi-thread runtime with four workers.

use std::future::Future;
use std::pin::Pin;
#[cfg(unix)]
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};

use flakeproof::fault::{FaultPlan, Scoped};
use flakeproof::{Op, fs};

/// Pending once, then ready: one `.await` that hands the task back.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// `n` directory creations, one per poll: the errors each met.
async fn create_dirs(dir: std::path::PathBuf, n: usize) -> Vec<Option<i32>> {
    let mut seen = Vec::new();
    for i in 0..n {
        seen.push(
            fs::create_dir(dir.join(i.to_string()))
                .err()
                .and_then(|e| e.raw_os_error()),
        );
        YieldOnce(false).await;
    }
    seen
}

#[test]
fn a_scoped_future_meets_its_plan_on_every_thread_that_polls_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = if cfg!(windows) {
        "create_dir=ERROR_ACCESS_DENIED"
    } else {
        "create_dir=EIO"
    };
    let guard = FaultPlan::parse(plan).unwrap().activate();
    let mut task: Pin<Box<Scoped<_>>> = Box::pin(guard.scoped(create_dirs(dir.path().into(), 8)));
    // Four threads with no plan of their own, each polling the task in turn.
    type Job<T> = (
        Pin<Box<T>>,
        mpsc::Sender<(Pin<Box<T>>, Poll<Vec<Option<i32>>>)>,
    );
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (tx, rx) = mpsc::channel::<Job<Scoped<_>>>();
        std::thread::spawn(move || {
            for (mut t, back) in rx {
                let done = t.as_mut().poll(&mut Context::from_waker(Waker::noop()));
                back.send((t, done)).unwrap();
            }
        });
        workers.push(tx);
    }
    let (back, answers) = mpsc::channel();
    let seen = 'run: loop {
        for w in &workers {
            w.send((task, back.clone())).unwrap();
            let (t, done) = answers.recv().unwrap();
            task = t;
            if let Poll::Ready(seen) = done {
                break 'run seen;
            }
        }
    };
    // Raw 5 on both: EIO, ERROR_ACCESS_DENIED.
    assert_eq!(
        seen,
        vec![Some(5); 8],
        "a poll on some thread ran outside the plan"
    );
    assert_eq!(guard.injected(Op::CreateDir, "*"), 8);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tasks_with_their_own_plans_on_four_workers_never_see_each_others_faults() {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let task = |plan: &str, sub: &str| {
        let guard = FaultPlan::parse(plan).unwrap().activate();
        let path = dir.path().join(sub);
        std::fs::create_dir(&path).unwrap();
        let run = guard.scoped(async move {
            let mut seen = Vec::new();
            let mut threads = std::collections::HashSet::new();
            for i in 0..200 {
                threads.insert(std::thread::current().id());
                let made = fs::create_dir(path.join(i.to_string()));
                seen.push(made.err().and_then(|e| e.raw_os_error()));
                tokio::task::yield_now().await;
            }
            (seen, threads.len())
        });
        (guard, tokio::spawn(run))
    };
    let (a_guard, a) = task("create_dir=ENOSPC", "a");
    let (b_guard, b) = task("create_dir=EACCES", "b");
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert!(a.0.iter().all(|&e| e == Some(28)), "ENOSPC: {:?}", a.0);
    assert!(b.0.iter().all(|&e| e == Some(13)), "EACCES: {:?}", b.0);
    assert_eq!(a_guard.attempts(Op::CreateDir, "*"), 200);
    assert_eq!(b_guard.attempts(Op::CreateDir, "*"), 200);
    eprintln!("the tasks ran on {} and {} worker threads", a.1, b.1);
}

/// A tokio command with the plan attached: its child's calls meet it, and
/// count into the same record, as a std command's do.
#[cfg(all(target_os = "linux", feature = "tokio"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokio_command_takes_a_child_plan() {
    use flakeproof::process::ChildFaultsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    std::fs::write(d.join("a"), "x").unwrap();
    let guard = FaultPlan::parse("rename(*/b)=EBUSY@1").unwrap().activate();
    let mut mv = tokio::process::Command::new("mv");
    mv.args(["a", "b"]).current_dir(&d);
    if let Err(e) = mv.faults(&guard) {
        return crate::common::skip("seccomp", &e.to_string());
    }
    let out = mv.output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("busy"));
    // @1: the second run goes through.
    assert!(mv.status().await.unwrap().success());
    assert!(d.join("b").exists());
    let injected: Vec<_> = guard.calls().into_iter().filter(|c| c.injected()).collect();
    assert_eq!(injected.len(), 1);
    assert!(injected[0].exe.as_ref().unwrap().ends_with("mv"));
}

/// The async mirror (`flakeproof::fs::tokio`) under plans that follow their
/// task: a sweep over an async save on a four-worker runtime finds the
/// point that leaves its temp file behind.
#[cfg(all(unix, feature = "tokio"))]
#[test]
fn a_sweep_reaches_an_async_save_through_the_async_mirror() {
    use flakeproof::fault::exempt;
    use flakeproof::fs::tokio as afs;
    async fn save(dir: std::path::PathBuf) -> std::io::Result<()> {
        let tmp = dir.join("out.tmp");
        afs::write(&tmp, "data").await?;
        tokio::task::yield_now().await; // the task may move on here
        afs::rename(&tmp, dir.join("out")).await
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    let sweep = flakeproof::sweep("any(*/out*)=EIO", |scope| {
        let dir = exempt(|| tempfile::tempdir().unwrap());
        let path = dir.path().to_owned();
        // Spawned: the task runs on the workers, not on this thread.
        let _ = rt.block_on(async { tokio::spawn(scope.scoped(save(path))).await.unwrap() });
        exempt(move || match dir.path().join("out.tmp").exists() {
            true => Err("out.tmp left behind".to_string()),
            false => Ok(()),
        })
    })
    .unwrap();
    // The write's open and its write, then the rename.
    assert_eq!(sweep.points, 3, "{sweep}");
    let ks: Vec<u64> = sweep.failures.iter().map(|f| f.k).collect();
    assert_eq!(ks, [3], "{sweep}");
}

/// A kernel plan follows a thread: inside a multi-thread runtime it is
/// refused, saying why; on a current-thread runtime, whose tasks all run on
/// the calling thread, it reaches plain std calls in a task.
#[cfg(all(target_os = "linux", feature = "tokio"))]
#[test]
fn kernel_plans_are_refused_on_a_multi_thread_runtime_and_work_on_a_current_thread_one() {
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let e = multi
        .block_on(async {
            FaultPlan::parse("create_dir=EIO")
                .unwrap()
                .activate_in_kernel()
                .map(drop)
        })
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::Unsupported);
    assert!(e.to_string().contains("multi-thread"), "{e}");
    // On a thread of its own: the kernel filter is for that thread's life.
    std::thread::spawn(|| {
        let single = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        single.block_on(async {
            let guard = match FaultPlan::parse("create_dir=EIO")
                .unwrap()
                .activate_in_kernel()
            {
                Ok(g) => g,
                Err(e) => return crate::common::skip("seccomp", &e.to_string()),
            };
            let dir = flakeproof::fault::exempt(|| tempfile::tempdir().unwrap());
            // A spawned task: on this runtime it runs on this thread.
            let path = dir.path().join("x");
            let made = tokio::spawn(async move { std::fs::create_dir(path) })
                .await
                .unwrap();
            assert_eq!(made.unwrap_err().raw_os_error(), Some(5));
            assert_eq!(guard.injected(Op::CreateDir, "*"), 1);
            flakeproof::fault::exempt(move || drop(dir));
        });
    })
    .join()
    .unwrap();
}

/// The async forms of `robust` and `replace` run on tokio's blocking pool,
/// whose threads never entered the task's plan: it is carried in.
#[cfg(all(unix, feature = "tokio"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn robust_and_replace_async_forms_carry_the_tasks_plan_to_the_blocking_pool() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let (src, served) = (dir.path().join("build-out"), dir.path().join("served"));
    std::fs::write(&a, "x").unwrap();
    std::fs::write(&src, "#!/bin/sh\necho v2\n").unwrap();
    let guard = FaultPlan::parse("rename(*/b)=EXDEV; rename(*/served)=EACCES")
        .unwrap()
        .activate();
    let task = guard.scoped(async move {
        let moved = flakeproof::robust::rename_async(&a, &b).await;
        let replaced = flakeproof::replace::replace_executable_async(&src, &served).await;
        (moved, replaced.map(drop).map_err(|e| e.raw_os_error()))
    });
    let (moved, replaced) = tokio::spawn(task).await.unwrap();
    assert_eq!(
        moved.unwrap_err().raw_os_error(),
        Some(18),
        "EXDEV, from the plan"
    );
    assert_eq!(replaced, Err(Some(13)), "EACCES, from the plan");
    assert!(guard.injected(Op::Rename, "*") >= 2, "{:?}", guard.calls());
}

/// The async mirror's `File`: a write consults the plan once, however many
/// polls it takes. tokio answers `Pending` to a write while the previous one
/// is still on the blocking pool; here the pool's one thread is kept busy
/// until the second write has been polled once, so that write is polled
/// twice. Counted per poll, it would be the third consultation and fail;
/// counted per write, the third write fails, as `@3` says.
#[cfg(all(unix, feature = "tokio"))]
#[test]
fn an_async_file_write_counts_once_however_many_polls_it_takes() {
    use std::future::Future;
    use std::task::Poll;
    use tokio::io::AsyncWriteExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    rt.block_on(async {
        let mut f = flakeproof::fs::tokio::File::create(&path).await.unwrap();
        let _g = FaultPlan::parse("write(*/out)=EIO@3").unwrap().activate();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let blocker = tokio::task::spawn_blocking(move || held.recv());
        f.write_all(b"one").await.unwrap(); // queued behind the blocker
        {
            let mut second = std::pin::pin!(f.write_all(b"two"));
            let first_poll = std::future::poll_fn(|cx| Poll::Ready(second.as_mut().poll(cx))).await;
            assert!(first_poll.is_pending(), "the first write was not in flight");
            release.send(()).unwrap();
            second.await.unwrap();
        }
        let third = f.write_all(b"three").await.unwrap_err();
        assert_eq!(third.raw_os_error(), Some(5), "{third}");
        f.flush().await.unwrap();
        blocker.await.unwrap().unwrap();
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"onetwo");
}

/// The async mirror's `File` and `OpenOptions` meet the plan at each step of
/// an async save (open, write, sync), as the std mirror's do.
#[cfg(all(unix, feature = "tokio"))]
#[test]
fn an_async_save_through_the_mirrors_file_meets_the_plan_at_each_step() {
    use flakeproof::fs::tokio::{File, OpenOptions};
    use tokio::io::AsyncWriteExt;
    async fn save(path: &std::path::Path) -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .open(path)
            .await?;
        f.write_all(b"data").await?;
        f.set_len(4).await?;
        f.sync_all().await
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("save");
    for (plan, errno) in [
        ("open_write(*/save)=EROFS", 30),
        ("write(*/save)=ENOSPC@1", 28),
        ("write(*/save)=EIO@2", 5),
        ("sync(*/save)=EIO", 5),
    ] {
        let g = FaultPlan::parse(plan).unwrap().activate();
        let e = rt.block_on(save(&path)).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(errno), "{plan}: {e}");
        drop(g);
    }
    rt.block_on(save(&path)).unwrap();
    // Reads consult no plan, as in the std mirror.
    let _g = FaultPlan::parse("open(*/save)=EIO").unwrap().activate();
    let e = rt.block_on(File::open(&path)).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(5));
    let f = rt.block_on(async { OpenOptions::new().read(true).open(&path).await });
    assert!(f.is_err(), "open for reading is `open`");
}

/// Work a scoped task hands to tokio's blocking pool meets the task's plan
/// when the closure enters `FaultScope::current()`, and only then: the pool
/// thread never entered the plan itself.
#[cfg(all(unix, feature = "tokio"))]
#[test]
fn a_scoped_tasks_spawn_blocking_carries_its_plan_with_fault_scope_current() {
    use flakeproof::fault::FaultScope;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (carried, bare) = (dir.path().join("carried"), dir.path().join("bare"));
    let guard = FaultPlan::parse("create_dir=ENOSPC").unwrap().activate();
    let task = guard.scoped(async move {
        tokio::task::yield_now().await;
        let scope = FaultScope::current();
        assert!(scope.is_some(), "no plan in force inside the scoped task");
        let with_plan = tokio::task::spawn_blocking(move || {
            let _in = scope.as_ref().map(FaultScope::enter);
            flakeproof::fs::create_dir(carried)
        });
        let without = tokio::task::spawn_blocking(move || flakeproof::fs::create_dir(bare));
        (with_plan.await.unwrap(), without.await.unwrap())
    });
    let (with_plan, without) = rt.block_on(async { tokio::spawn(task).await.unwrap() });
    assert_eq!(with_plan.unwrap_err().raw_os_error(), Some(28));
    without.unwrap();
    assert_eq!(guard.injected(flakeproof::Op::CreateDir, "*"), 1);
}
