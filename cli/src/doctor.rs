//! `flakeproof doctor`: what this machine gives the crate, one line each,
//! with what degrades without it. Every line is asked of the kernel here
//! and now (a real probe), never inferred from a version number.

use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flakeproof::fault::FaultPlan;
use flakeproof::process::ChildFaultsExt;
use flakeproof::shield::{Shield, ShieldExt};

pub(crate) fn doctor() -> ExitCode {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|e| format!("unknown ({e})"));
    line(true, "kernel", &kernel, "");

    // The same probe `run` makes: a filter with a listener and a real
    // CONTINUE round trip on a throwaway thread.
    let guard = FaultPlan::parse("")
        .expect("the empty plan parses")
        .activate();
    let mut probe = std::process::Command::new("true");
    let seccomp = probe.faults(&guard).map(|_| ());
    let seccomp_ok = seccomp.is_ok();
    line(
        seccomp_ok,
        "seccomp user notification",
        &match &seccomp {
            Ok(()) => "works (fault plans reach child processes)".to_owned(),
            Err(e) => e.to_string(),
        },
        "`run` can't attach a plan to a command",
    );
    // The shield: the same mechanism, and its own question asked of it.
    let mut probe = std::process::Command::new("true");
    let shield = probe.shield(&Shield::new()).map(|_| ());
    line(
        shield.is_ok(),
        "shield",
        &match &shield {
            Ok(()) => "can hold execs here (`flakeproof shield -- CMD`)".to_owned(),
            Err(e) => e.to_string(),
        },
        "`shield` refuses to run CMD (or runs it unshielded with --allow-unshielded)",
    );
    // Kernel plans on a thread: the same mechanism again, asked for real on
    // a throwaway thread (its filter ends with it): a plain std::fs call
    // there must meet the plan.
    let kernel_plan = std::thread::spawn(|| -> Result<(), String> {
        let dir = std::env::temp_dir().join(format!("flakeproof-doctor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let plan = FaultPlan::parse("create_dir(*/doctor)=EIO").expect("the probe's plan parses");
        let result = plan
            .activate_in_kernel()
            .map_err(|e| e.to_string())
            .and_then(|guard| {
                let made = std::fs::create_dir(dir.join("doctor"));
                drop(guard);
                match made {
                    Err(e) if e.raw_os_error() == Some(5) => Ok(()),
                    other => Err(format!("the kernel let a planned call through ({other:?})")),
                }
            });
        let _ = std::fs::remove_dir_all(&dir);
        result
    })
    .join()
    .unwrap_or_else(|_| Err("the probe panicked".into()));
    line(
        kernel_plan.is_ok(),
        "kernel plans on a thread",
        &match &kernel_plan {
            Ok(()) => "work (std::fs on a test's thread meets a plan: FaultPlan::activate_in_kernel, sweeps)".to_owned(),
            Err(e) => e.clone(),
        },
        "sweeps in a test process reach only flakeproof::fs and child plans",
    );
    if let Ok(owner) = std::env::var("FLAKEPROOF_SECCOMP_OWNER") {
        line(
            false,
            "this process tree",
            &format!("runs under flakeproof's {owner}"),
            "a plan or a shield inside it is refused: the kernel allows one listener per tree",
        );
    }

    let tmp = std::env::temp_dir();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for (name, dir) in [
        ("TMPDIR", tmp.as_path()),
        ("current directory", cwd.as_path()),
    ] {
        let fs = fs_name(dir);
        let leases = lease_works(dir);
        line(
            leases.is_ok(),
            &format!("read leases on {name} ({fs})"),
            &match &leases {
                Ok(()) => format!("granted in {}", dir.display()),
                Err(e) => format!("refused in {}: {e}", dir.display()),
            },
            "installs wait on the flock drain barrier, or write from a child process",
        );
    }

    let limit = |what: &str| {
        std::fs::read_to_string(format!("/proc/sys/fs/inotify/{what}"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned())
    };
    line(
        true,
        "inotify limits",
        &format!(
            "{} instances, {} watches per user",
            limit("max_user_instances"),
            limit("max_user_watches")
        ),
        "",
    );
    line(
        true,
        "setuid programs",
        "run without their privileges in a faulted or shielded tree, and sudo refuses to run \
         there (the filter needs no-new-privs)",
        "",
    );
    if seccomp_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One line: `ok`/`--`, what, what was found, and what degrades without it.
fn line(ok: bool, what: &str, found: &str, without: &str) {
    let paint = crate::term::Paint::stdout();
    let mark = paint.verdict(!ok, if ok { "ok" } else { "--" });
    if ok || without.is_empty() {
        println!("{mark}  {what}: {found}");
    } else {
        println!("{mark}  {what}: {found}\n      without it: {without}");
    }
}

/// A read lease on a fresh file in `dir`: refused while any writer exists,
/// the question the drain barrier asks of the kernel (needs CAP_LEASE or
/// owning the file, and a filesystem that grants them).
fn lease_works(dir: &Path) -> std::io::Result<()> {
    let probe = tempfile_in(dir)?;
    let file = std::fs::File::open(&probe.0)?;
    // SAFETY: fcntl on a descriptor we hold; the lease is dropped at once.
    let r = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLEASE, libc::F_RDLCK) };
    let result = if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    };
    // SAFETY: as above.
    unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK) };
    result
}

/// A file removed when dropped.
struct Probe(PathBuf);

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<Probe> {
    let path = dir.join(format!(".flakeproof-doctor-{}", std::process::id()));
    std::fs::File::create(&path)?;
    Ok(Probe(path))
}

/// The filesystem `dir` is on, by its statfs magic number.
fn fs_name(dir: &Path) -> String {
    let Ok(c) = CString::new(dir.as_os_str().as_bytes()) else {
        return "unknown".into();
    };
    // SAFETY: statfs fills the struct; the path is NUL-terminated.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return "unknown".into();
    }
    let name = match st.f_type as i64 {
        0xEF53 => "ext4",
        0x0102_1994 => "tmpfs",
        0x794C_7630 => "overlayfs",
        0x6573_5546 => "FUSE",
        0x5846_5342 => "xfs",
        0x9123_683E => "btrfs",
        0x6969 => "NFS",
        0xFF53_4D42 | 0xFE53_4D42 => "SMB",
        0x0102_1997 => "9p",
        other => return format!("filesystem 0x{other:x}"),
    };
    name.into()
}
