//! Scenario 1: `dx serve` copying each fresh build over the program it serves.
//!
//! dioxus' `dx serve` put a new build in place with `std::fs::copy(build,
//! served)`. That rewrites the served file in place (open with O_TRUNC, write):
//!
//! * Linux refuses to open a running program for writing: the builder gets
//!   ETXTBSY (os error 26) whenever the server is running it;
//! * while a copy has the file open for writing, the server's `execve` of it
//!   fails with ETXTBSY too (the kernel's other half of the same rule);
//! * two builders (two `dx serve`) that both got the file open write over each
//!   other: the served program comes out as a mix of two builds (torn);
//! * (macOS, not reproduced here: EPERM on the copy right after a build, and a
//!   signed binary rewritten in place is killed.)
//!
//! Here: a server process execs the destination in a loop; several builder
//! processes put "fresh builds" over it. The builds are copies of this very
//! binary (a real cargo build output) with a different trailer appended (48
//! KiB of `A`, or 16 KiB of `B`), so the two builds differ in content and in
//! size and any mix of them is a third content. The served program, when run,
//! hashes the file it is running from (`/proc/self/exe`, the inode execve
//! mapped) and prints the hash, so the server checks every run: it must start,
//! exit 0 and be exactly build A or build B.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use flakeproof::replace::{ReplaceError, Replacer};
use flakeproof::ArtifactLock;

use crate::common::{
    describe, fnv1a64, start_together, worker_ready_and_wait, Counters, Worker, ETXTBSY,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// What dx did: `std::fs::copy(build, served)`.
    Naive,
    /// `flakeproof::replace_executable(build, served)`, defaults (durable).
    ReplaceExecutable,
    /// `Replacer::new().durable(false).lock(ArtifactLock::new(dir))`: no
    /// fsyncs (a dev loop does not need them) and one replacer at a time per
    /// destination, as the per-project lock proposed for dx.
    ReplacerLocked,
}

pub const VARIANTS: [Variant; 3] = [
    Variant::Naive,
    Variant::ReplaceExecutable,
    Variant::ReplacerLocked,
];

impl Variant {
    pub fn label(self) -> &'static str {
        match self {
            Variant::Naive => "std::fs::copy (naive)",
            Variant::ReplaceExecutable => "replace_executable",
            Variant::ReplacerLocked => "Replacer durable(false)+lock",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Variant::Naive => "naive",
            Variant::ReplaceExecutable => "replace",
            Variant::ReplacerLocked => "replacer-locked",
        }
    }

    fn from_arg(s: &str) -> io::Result<Self> {
        VARIANTS
            .into_iter()
            .find(|v| v.arg() == s)
            .ok_or_else(|| io::Error::other(format!("unknown dx variant {s:?}")))
    }
}

pub struct Config {
    /// Builds each builder puts in place.
    pub rounds: u32,
    /// Builder processes (concurrent `dx serve` instances).
    pub builders: u32,
    /// How long each run of the served program lasts.
    pub probe_ms: u64,
}

/// One variant's outcome: builders' counters merged, the server's, and the
/// check of the file left in place at the end.
pub struct Row {
    pub variant: Variant,
    pub builders: Counters,
    pub server: Counters,
    pub final_torn: bool,
    pub elapsed: Duration,
}

impl Row {
    pub fn build_failures(&self) -> u64 {
        self.builders.get("fail_etxtbsy") + self.builders.get("fail_other")
    }

    pub fn server_failures(&self) -> u64 {
        self.server.get("spawn_etxtbsy")
            + self.server.get("spawn_other")
            + self.server.get("crashed")
            + self.server.get("ran_torn")
    }

    pub fn failures(&self) -> u64 {
        self.build_failures() + self.server_failures() + u64::from(self.final_torn)
    }
}

/// Parent: runs every variant, one after the other, under `scratch`.
pub fn run(cfg: &Config, scratch: &Path) -> io::Result<Vec<Row>> {
    let exe = fs::read(std::env::current_exe()?)?;
    let mut rows = Vec::new();
    for variant in VARIANTS {
        rows.push(run_variant(cfg, scratch, variant, &exe)?);
    }
    Ok(rows)
}

fn run_variant(cfg: &Config, scratch: &Path, variant: Variant, exe: &[u8]) -> io::Result<Row> {
    let dir = scratch.join(format!("dx-{}", variant.arg()));
    fs::create_dir(&dir)?;
    fs::create_dir(dir.join("locks"))?;

    // The two "fresh builds": this program plus a trailer. The ELF loader
    // ignores bytes after the file's last section, so both run; they differ
    // in content and size.
    let build_a = dir.join("build-a");
    let build_b = dir.join("build-b");
    let content_a = [exe, &vec![b'A'; 48 * 1024]].concat();
    let content_b = [exe, &vec![b'B'; 16 * 1024]].concat();
    write_executable(&build_a, &content_a)?;
    write_executable(&build_b, &content_b)?;
    let (hash_a, hash_b) = (fnv1a64(&content_a), fnv1a64(&content_b));

    // First build in place before anyone runs it (no race yet).
    let served = dir.join("app");
    fs::copy(&build_a, &served)?;

    let started = Instant::now();
    let server = Worker::spawn(
        "dx server",
        &[
            "dx-server".into(),
            variant.arg().into(),
            path_arg(&dir),
            path_arg(&served),
            cfg.probe_ms.to_string(),
            format!("{hash_a:016x}"),
            format!("{hash_b:016x}"),
        ],
    )?;
    let mut workers = vec![server];
    for id in 0..cfg.builders {
        workers.push(Worker::spawn(
            format!("dx builder {id}"),
            &[
                "dx-builder".into(),
                variant.arg().into(),
                id.to_string(),
                cfg.rounds.to_string(),
                path_arg(&build_a),
                path_arg(&build_b),
                path_arg(&served),
                path_arg(&dir.join("locks")),
            ],
        )?);
    }
    let mut workers = start_together(workers)?;

    // Builders first; then tell the server to stop (it checks for this file
    // between runs) and collect its counters.
    let builder_workers = workers.split_off(1);
    let mut builders = Counters::default();
    for w in builder_workers {
        builders.merge(&w.finish()?);
    }
    fs::write(dir.join("stop"), b"")?;
    let server = workers.pop().expect("server").finish()?;
    let elapsed = started.elapsed();

    // Whatever happened on the way, the file left in place must be one whole
    // build.
    let left = fnv1a64(&fs::read(&served)?);
    let final_torn = left != hash_a && left != hash_b;

    Ok(Row {
        variant,
        builders,
        server,
        final_torn,
        elapsed,
    })
}

fn write_executable(path: &Path, content: &[u8]) -> io::Result<()> {
    fs::write(path, content)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

fn path_arg(p: &Path) -> String {
    p.to_str().expect("scratch paths are UTF-8").to_string()
}

/// Worker `dx-builder VARIANT ID ROUNDS BUILD_A BUILD_B SERVED LOCK_DIR`: puts
/// builds A and B (alternately) over SERVED, ROUNDS times.
pub fn builder_main(args: &[String]) -> io::Result<()> {
    let [variant, id, rounds, build_a, build_b, served, lock_dir] = args else {
        return Err(io::Error::other("dx-builder: bad arguments"));
    };
    let variant = Variant::from_arg(variant)?;
    let id: u32 = id.parse().map_err(io::Error::other)?;
    let rounds: u32 = rounds.parse().map_err(io::Error::other)?;
    let replacer = Replacer::new()
        .durable(false)
        .lock(ArtifactLock::new(lock_dir));
    let mut c = Counters::default();
    let mut logged = 0;

    worker_ready_and_wait()?;
    for round in 0..rounds {
        // Builders start on different builds, so that two of them put
        // different contents in place at the same time.
        let src = if (id + round).is_multiple_of(2) {
            build_a
        } else {
            build_b
        };
        // Err carries the OS's error (errno kept: a ReplaceError converts
        // back into it) and a description for the log (with flakeproof's
        // step and path).
        let result: Result<bool, (io::Error, String)> = match variant {
            Variant::Naive => fs::copy(src, served).map(|_| true).map_err(|e| {
                let what = describe(&e);
                (e, what)
            }),
            Variant::ReplaceExecutable => flakeproof::replace_executable(src, served)
                .map(|r| r.replaced)
                .map_err(split_replace_error),
            Variant::ReplacerLocked => replacer
                .replace(src, served)
                .map(|r| r.replaced)
                .map_err(split_replace_error),
        };
        c.add("builds", 1);
        match result {
            Ok(true) => c.add("ok", 1),
            // Destination already held this very build: left alone.
            Ok(false) => c.add("ok_unchanged", 1),
            Err((e, what)) => {
                // ETXTBSY is the expected failure of the naive copy; anything
                // else, and any failure of flakeproof's, is worth seeing.
                // flakeproof: allow(hand-rolled-etxtbsy-retry) tells the naive copy's expected ETXTBSY from real failures, retries nothing
                let etxtbsy = e.raw_os_error() == Some(ETXTBSY);
                if !etxtbsy || variant != Variant::Naive {
                    log_once(&mut logged, variant, id, &what);
                }
                c.add(
                    if etxtbsy {
                        "fail_etxtbsy"
                    } else {
                        "fail_other"
                    },
                    1,
                );
            }
        }
        // A real build takes a while between two copies; this pause also
        // lets the server exec between them. Pacing only, never a check.
        thread::sleep(Duration::from_millis(1));
    }
    c.print_result();
    Ok(())
}

fn split_replace_error(e: ReplaceError) -> (io::Error, String) {
    let what = e.to_string();
    (e.into(), what)
}

fn log_once(logged: &mut u32, variant: Variant, id: u32, what: &str) {
    if *logged < 3 {
        eprintln!("  dx builder {id} ({}): {what}", variant.arg());
        *logged += 1;
    }
}

/// Worker `dx-server VARIANT DIR SERVED PROBE_MS HASH_A HASH_B`: runs SERVED
/// again and again until DIR/stop exists, and checks every run. (VARIANT only
/// labels its log lines: the server does the same in every variant.)
pub fn server_main(args: &[String]) -> io::Result<()> {
    let [variant, dir, served, probe_ms, hash_a, hash_b] = args else {
        return Err(io::Error::other("dx-server: bad arguments"));
    };
    let stop = PathBuf::from(dir).join("stop");
    let mut c = Counters::default();
    let mut logged = 0;

    worker_ready_and_wait()?;
    while !stop.exists() {
        c.add("runs", 1);
        // Plain std::process::Command in every variant: the point is that the
        // builders' way of replacing decides whether this fails.
        let run = Command::new(served)
            .args(["dx-probe", probe_ms])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        match run {
            // execve refused: a builder had the file open for writing.
            // flakeproof: allow(hand-rolled-etxtbsy-retry) counts the naive variant's ETXTBSY refusals, retries nothing
            Err(e) if e.raw_os_error() == Some(ETXTBSY) => c.add("spawn_etxtbsy", 1),
            // E.g. ENOEXEC (8) for a file truncated to nothing by a copy.
            Err(e) => {
                log_once_server(&mut logged, variant, &describe(&e));
                c.add("spawn_other", 1);
            }
            // Started but died or failed: a half-written program.
            Ok(out) if !out.status.success() => {
                log_once_server(
                    &mut logged,
                    variant,
                    &format!("served program: {}", out.status),
                );
                c.add("crashed", 1);
            }
            Ok(out) => {
                let said = String::from_utf8_lossy(&out.stdout);
                let said = said.trim();
                if said == hash_a || said == hash_b {
                    c.add("ran_ok", 1);
                } else {
                    // Ran, but from a file that is neither build: a mix of
                    // two builders' copies.
                    log_once_server(
                        &mut logged,
                        variant,
                        &format!("ran a torn build (hash {said})"),
                    );
                    c.add("ran_torn", 1);
                }
            }
        }
    }
    c.print_result();
    Ok(())
}

fn log_once_server(logged: &mut u32, variant: &str, what: &str) {
    if *logged < 3 {
        eprintln!("  dx server ({variant}): {what}");
        *logged += 1;
    }
}

/// `dx-probe MS`: what the served program does when run: print the hash of
/// the file it runs from, then stay running for MS milliseconds (a server
/// that is up while the next build lands).
pub fn probe_main(args: &[String]) -> io::Result<()> {
    let ms: u64 = match args {
        [ms] => ms.parse().map_err(io::Error::other)?,
        _ => return Err(io::Error::other("dx-probe: bad arguments")),
    };
    // /proc/self/exe opens the inode this process was exec'd from, even if
    // the path now names another file: exactly what ran.
    let me = fs::read("/proc/self/exe")?;
    println!("{:016x}", fnv1a64(&me));
    thread::sleep(Duration::from_millis(ms));
    Ok(())
}
