//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Held by each test that changes what every thread of the process sees
/// (a process-wide plan, the umask, the current directory), or that reads
/// every child of the process as its own: such tests
/// share one binary (`tests/process_wide`) and run one at a time, and no
/// other test runs there.
pub fn process_wide() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// An environment-dependent check can't run here: say so and skip, unless
/// `FLAKEPROOF_REQUIRE` (a comma-separated list, set by CI where the machine
/// is known to have them) names `feature`, in which case not running is a
/// failure: a green run must not be all skips.
pub fn skip(feature: &str, why: &str) {
    let required = std::env::var("FLAKEPROOF_REQUIRE").unwrap_or_default();
    if required.split(',').any(|f| f.trim() == feature) {
        panic!("{feature} is required here (FLAKEPROOF_REQUIRE) but: {why}");
    }
    eprintln!("SKIPPED ({feature}): {why}");
}

/// Can an exec here still fail with ETXTBSY? Not under flakeproof's shield
/// (`flakeproof shield -- cargo test`), which holds such execs until the
/// writer is gone: the tests whose point is a real ETXTBSY (the controls,
/// the retries that ride one out) skip there, named, rather than wait out
/// the shield's budget or fail.
pub fn real_etxtbsy_possible() -> bool {
    match std::env::var("FLAKEPROOF_SECCOMP_OWNER") {
        Ok(owner)
            if owner
                .split_whitespace()
                .next()
                .is_some_and(|o| o.contains("shield")) =>
        {
            skip(
                "unshielded",
                &format!(
                    "this test needs a real ETXTBSY, and it runs under flakeproof's {owner} \
                     (FLAKEPROOF_SECCOMP_OWNER), which holds such execs until the writer closes"
                ),
            );
            false
        }
        _ => true,
    }
}

/// Does the filesystem of `dir` grant read leases (Linux `F_SETLEASE`)?
/// Not on NFS, nor for a non-owner without CAP_LEASE.
#[cfg(target_os = "linux")]
pub fn leases_work_in(dir: &Path) -> bool {
    use std::os::fd::AsRawFd;
    let p = dir.join(".lease-probe");
    std::fs::write(&p, "").unwrap();
    let f = std::fs::File::open(&p).unwrap();
    // SAFETY: fcntl on a descriptor we hold; the lease is dropped at once.
    let ok = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_SETLEASE, libc::F_RDLCK) } == 0;
    // SAFETY: as above.
    unsafe { libc::fcntl(f.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK) };
    drop(f);
    std::fs::remove_file(&p).unwrap();
    ok
}

/// A temp dir whose programs can be executed, or `None` (after saying so)
/// when the temp dir is on a noexec mount: set TMPDIR elsewhere.
#[cfg(unix)]
pub fn exec_tempdir() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    if exec_works_in(dir.path()) {
        Some(dir)
    } else {
        skip(
            "exec-tmp",
            "programs in the temp dir can't run (noexec mount?): set TMPDIR",
        );
        None
    }
}

/// Windows has no noexec mounts.
#[cfg(not(unix))]
pub fn exec_tempdir() -> Option<tempfile::TempDir> {
    Some(tempfile::tempdir().unwrap())
}

/// Can programs written to `dir` be executed (not a noexec mount)? The
/// probe is installed exec-safely: a plain write here would itself meet the
/// fork race this crate exists for (it did, in CI).
#[cfg(unix)]
pub fn exec_works_in(dir: &Path) -> bool {
    let p = flakeproof::install_executable_stub(dir, ".exec-probe", "#!/bin/sh\nexit 0\n").unwrap();
    let ran = std::process::Command::new(&p).status();
    std::fs::remove_file(&p).unwrap();
    match ran {
        Ok(status) => {
            assert!(status.success(), "the exec probe ran and failed: {status}");
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => false,
        Err(e) => panic!("the exec probe could not run: {e}"),
    }
}

/// Leases are a Linux call.
#[cfg(all(unix, not(target_os = "linux")))]
pub fn leases_work_in(_dir: &Path) -> bool {
    false
}

/// File names in `dir`, sorted. Not FUSE's `.fuse_hidden*`: libfuse's
/// name for a file unlinked while some process still has it open (here: a
/// child another test thread forks in the moment, which inherits our temp
/// file's descriptor until it closes it), gone at that last close. It is the
/// filesystem's, not a leftover of ours (scripts/fs-matrix.sh runs these
/// tests on bindfs).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with(".fuse_hidden"))
        .collect();
    names.sort();
    names
}

/// The helper program `examples/stub_helper.rs`, which `cargo test` builds
/// beside the test binaries (`stub_helper.exe` on Windows).
pub fn stub_helper() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let examples = exe.parent().unwrap().parent().unwrap().join("examples");
    let p = examples.join(format!("stub_helper{}", std::env::consts::EXE_SUFFIX));
    assert!(
        p.is_file(),
        "{} is missing: build the examples",
        p.display()
    );
    p
}
