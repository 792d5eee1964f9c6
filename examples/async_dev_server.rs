//! The `dx serve` failure in async form (feature `tokio`): on a tokio
//! multi-thread runtime, builder tasks finish fresh builds (a small
//! `#!/bin/sh` program printing its version) and hand them to a dev server
//! task, which copies each over the program it serves and runs it, while
//! client tasks keep running the served program meanwhile.
//!
//! Naive: `tokio::fs::copy` onto the served path rewrites it in place, and
//! `tokio::process::Command::output` runs it. A run that meets a copy in
//! progress fails ("Text file busy", ETXTBSY) or runs a torn program (empty
//! or half-written: "Exec format error", or wrong output), and a copy that
//! meets a run starting can itself be refused. flakeproof:
//! `replace::replace_executable_async` (write beside, rename over) and
//! `AsyncSpawnRetryExt::output_retrying`.
//!
//!     cargo run --release --features tokio --example async_dev_server [-- --builders 4 --builds 80 --clients 4]
//!
//! Exits non-zero unless the naive server failed at least once and the
//! flakeproof one never did.

// The race is Unix's (ETXTBSY), and the runtime this example builds comes
// from the Unix-only dev-dependency.
#[cfg(unix)]
mod unix {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
    use std::time::{Duration, Instant};

    use flakeproof::AsyncSpawnRetryExt;

    fn arg(args: &[String], flag: &str, default: usize) -> usize {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    }

    #[derive(Default)]
    struct Tally {
        deploys: AtomicU32,
        deploys_failed: AtomicU32,
        runs: AtomicU32,
        runs_failed: AtomicU32,
        /// The first few failures, to print.
        samples: std::sync::Mutex<Vec<String>>,
    }

    impl Tally {
        fn failed(&self, what: &str, counter: &AtomicU32) {
            counter.fetch_add(1, SeqCst);
            let mut s = self.samples.lock().unwrap();
            if s.len() < 4 {
                s.push(what.to_owned());
            }
        }
    }

    /// Copy `build` over the served program.
    async fn deploy(naive: bool, build: &Path, served: &Path, tally: &Tally) {
        tally.deploys.fetch_add(1, SeqCst);
        let r = if naive {
            tokio::fs::copy(build, served).await.map(drop)
        } else {
            flakeproof::replace::replace_executable_async(build, served)
                .await
                .map(drop)
                .map_err(std::io::Error::from)
        };
        if let Err(e) = r {
            tally.failed(&format!("copy: {e}"), &tally.deploys_failed);
        }
    }

    /// Run the served program: it must succeed and print a version.
    async fn run(naive: bool, served: &Path, tally: &Tally) {
        tally.runs.fetch_add(1, SeqCst);
        let mut cmd = tokio::process::Command::new(served);
        let out = if naive {
            cmd.output().await
        } else {
            cmd.output_retrying().await
        };
        match out {
            Err(e) => tally.failed(&format!("run: {e}"), &tally.runs_failed),
            Ok(o) => {
                let text = String::from_utf8_lossy(&o.stdout);
                let versioned = text
                    .strip_prefix('v')
                    .and_then(|v| v.strip_suffix('\n'))
                    .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
                if !o.status.success() || !versioned {
                    tally.failed(
                        &format!("run: {} printing {text:?}", o.status),
                        &tally.runs_failed,
                    );
                }
            }
        }
    }

    async fn serve(naive: bool, builders: usize, builds: usize, clients: usize) -> Arc<Tally> {
        let dir = tempfile::tempdir().expect("temp dir");
        let served: Arc<PathBuf> = Arc::new(dir.path().join("served-app"));
        let first = dir.path().join("first-build");
        std::fs::write(&first, "#!/bin/sh\necho v0\n").expect("first build");
        #[cfg(unix)]
        std::fs::set_permissions(&first, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("an executable first build");
        flakeproof::replace_executable(&first, &*served).expect("first deploy");
        let tally = Arc::new(Tally::default());
        let stop = Arc::new(AtomicBool::new(false));

        // Clients: keep running the served program, as a browser keeps hitting it.
        let clients: Vec<_> = (0..clients)
            .map(|_| {
                let (served, tally, stop) = (served.clone(), tally.clone(), stop.clone());
                tokio::spawn(async move {
                    while !stop.load(SeqCst) {
                        run(naive, &served, &tally).await;
                        // A failed spawn returns without awaiting anything: a
                        // client must yield, or its retries starve the builders.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                })
            })
            .collect();

        // Builders: write fresh builds and hand them to the server.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<PathBuf>(16);
        let builders: Vec<_> = (0..builders)
            .map(|b| {
                let (tx, out) = (tx.clone(), dir.path().join(format!("builder-{b}")));
                tokio::spawn(async move {
                    tokio::fs::create_dir(&out).await.expect("build dir");
                    for i in 0..builds {
                        let build = out.join(format!("app-{i}"));
                        let version = (b * builds + i + 1).to_string();
                        // Padded so that writing it is not a single tiny write.
                        let text = format!("#!/bin/sh\n# {}\necho v{version}\n", "x".repeat(4000));
                        tokio::fs::write(&build, text).await.expect("a build");
                        #[cfg(unix)]
                        tokio::fs::set_permissions(
                            &build,
                            std::os::unix::fs::PermissionsExt::from_mode(0o755),
                        )
                        .await
                        .expect("an executable build");
                        tx.send(build).await.expect("the server");
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                })
            })
            .collect();
        drop(tx);

        // The server: each finished build is copied over the served program
        // and run, in its own task: several deploys may overlap.
        let mut deploys = Vec::new();
        while let Some(build) = rx.recv().await {
            let (served, tally) = (served.clone(), tally.clone());
            deploys.push(tokio::spawn(async move {
                deploy(naive, &build, &served, &tally).await;
                run(naive, &served, &tally).await;
            }));
        }
        for t in builders.into_iter().chain(deploys) {
            t.await.expect("a task panicked");
        }
        stop.store(true, SeqCst);
        for c in clients {
            c.await.expect("a client panicked");
        }
        tally
    }

    pub(crate) fn main() {
        if !cfg!(target_os = "linux") {
            eprintln!(
                "async_dev_server: the in-place rewrite is refused only by Linux; nothing to show here"
            );
            return;
        }
        let args: Vec<String> = std::env::args().collect();
        let builders = arg(&args, "--builders", 4).max(1);
        let builds = arg(&args, "--builds", 80).max(1);
        let clients = arg(&args, "--clients", 4);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("runtime");
        println!(
            "async_dev_server: {builders} builder tasks x {builds} builds, a server task copying each over the program it runs, {clients} client tasks running it meanwhile (tokio, 4 workers)\n"
        );
        println!("| server uses | deploys failed | runs failed | time |");
        println!("|---|---:|---:|---:|");
        let mut failed = [0; 2];
        let mut samples = Vec::new();
        for (i, naive) in [true, false].into_iter().enumerate() {
            let t0 = Instant::now();
            let tally = rt.block_on(serve(naive, builders, builds, clients));
            let (d, df) = (
                tally.deploys.load(SeqCst),
                tally.deploys_failed.load(SeqCst),
            );
            let (r, rf) = (tally.runs.load(SeqCst), tally.runs_failed.load(SeqCst));
            println!(
                "| {} | {df} of {d} | {rf} of {r} | {:.1} s |",
                if naive {
                    "tokio::fs::copy + Command::output"
                } else {
                    "replace_executable_async + output_retrying"
                },
                t0.elapsed().as_secs_f64()
            );
            failed[i] = df + rf;
            let mode = if naive { "naive" } else { "flakeproof" };
            samples.extend(
                tally
                    .samples
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|s| format!("{mode}: {s}")),
            );
        }
        if !samples.is_empty() {
            println!("\nfirst failures seen:");
            for s in samples {
                println!("  {s}");
            }
        }
        if failed[1] > 0 {
            eprintln!(
                "\nthe flakeproof server let {} failures through: that is a bug",
                failed[1]
            );
            std::process::exit(1);
        }
        if failed[0] == 0 {
            eprintln!(
                "\nthe naive server never failed this run: the race was not reproduced, so nothing was shown (try more --builds or --clients)"
            );
            std::process::exit(2);
        }
    }
}

#[cfg(unix)]
fn main() {
    unix::main()
}

#[cfg(not(unix))]
fn main() {
    eprintln!("async_dev_server: ETXTBSY is a Unix race; nothing to show here");
}
