//! Failure-point sweeps: every call of a rule failed in turn, in this
//! process and in child processes, finding the points a function leaves
//! debris at, and none once it is fixed.

use std::io::{self, Write};
use std::path::Path;

use flakeproof::fault::exempt;
use flakeproof::{Sweep, SweepFailure, fs};

/// EIO's stand-in where error names are Windows' (raw 5 on both).
const EIO: &str = if cfg!(windows) {
    "ERROR_ACCESS_DENIED"
} else {
    "EIO"
};

/// `flakeproof::sweep` with the rule's `EIO` spelled for this OS.
fn sweep(
    rule: &str,
    scenario: impl FnMut(&flakeproof::fault::FaultScope) -> Result<(), String>,
) -> Result<Sweep, flakeproof::fault::ParseError> {
    flakeproof::sweep(&rule.replace("EIO", EIO), scenario)
}

/// The usual save: a temp file, renamed over the destination. Leaves the
/// temp file behind when a step after its creation fails.
fn save_leaky(dir: &Path, data: &[u8]) -> io::Result<()> {
    let tmp = dir.join("out.tmp");
    let mut f = fs::File::create(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, dir.join("out"))
}

/// The same, cleaning up after itself.
fn save_fixed(dir: &Path, data: &[u8]) -> io::Result<()> {
    let tmp = dir.join("out.tmp");
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, dir.join("out"))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The check each run makes: an error is allowed, debris is not, and on
/// success the destination holds the data.
/// The setup and the checks are the test's own: out of the plan's reach
/// (`fault::exempt`), which the kernel enforces on this thread where it can.
fn scenario(save: fn(&Path, &[u8]) -> io::Result<()>) -> Result<(), String> {
    let dir = exempt(|| tempfile::tempdir().unwrap());
    let saved = save(dir.path(), b"data");
    // The temp dir's removal is the test's too: it drops in here.
    exempt(move || {
        if dir.path().join("out.tmp").exists() {
            return Err("debris: out.tmp left behind".into());
        }
        match (saved, std::fs::read(dir.path().join("out"))) {
            (Ok(()), Ok(d)) if d == b"data" => Ok(()),
            (Ok(()), other) => Err(format!("reported success, but out is {other:?}")),
            (Err(_), _) => Ok(()),
        }
    })
}

#[test]
fn a_sweep_finds_where_a_leaky_save_leaves_debris_and_nothing_after_the_fix() {
    let leaky = sweep("any(*/out*)=EIO", |_| scenario(save_leaky)).unwrap();
    assert_eq!(leaky.points, 4, "{leaky}"); // create, write, sync, rename
    let ks: Vec<u64> = leaky.failures.iter().map(|f| f.k).collect();
    assert_eq!(ks, [2, 3, 4], "{leaky}");
    let failed = leaky.failures[2].call.as_ref().unwrap();
    assert_eq!(failed.op, flakeproof::Op::Rename);
    assert!(leaky.to_string().contains("@4: debris"), "{leaky}");

    let fixed = sweep("any(*/out*)=EIO", |_| scenario(save_fixed)).unwrap();
    assert!(fixed.is_clean(), "{fixed}");
    assert_eq!(fixed.points, 4);
}

#[test]
fn a_panic_in_the_scenario_is_a_failure_at_that_point() {
    let s = sweep("create_dir=EIO", |_| {
        let dir = exempt(|| tempfile::tempdir().unwrap());
        fs::create_dir(dir.path().join("a")).unwrap(); // no recovery at all
        fs::create_dir(dir.path().join("b")).map_err(|e| e.to_string())
    })
    .unwrap();
    assert_eq!(s.points, 2);
    assert_eq!(s.failures.len(), 2);
    assert!(s.failures[0].why.starts_with("panicked"), "{s}");
    assert_eq!(
        s.failures[1].why,
        io::Error::from_raw_os_error(5).to_string()
    );
}

#[test]
fn a_sweep_refuses_a_rule_with_a_trigger_or_more_than_one_rule() {
    assert!(sweep("rename=EIO@2", |_| Ok(())).is_err());
    assert!(sweep("rename=EIO; write=EIO", |_| Ok(())).is_err());
    assert!(sweep("", |_| Ok(())).is_err());
    let per = sweep("rename=EIO/per=process", |_| Ok(())).unwrap();
    assert_eq!(per.rule, format!("rename={EIO}/per=process"));
    let _: Option<&SweepFailure> = per.failures.first();
}

/// The same sweep, of a shell script: every call the script's processes
/// make on `out*` is failed in turn, through the plan attached to `sh`.
#[cfg(target_os = "linux")]
#[test]
fn a_sweep_reaches_into_child_processes() {
    use flakeproof::process::Command;
    let script = |body: &'static str| {
        move |plan: &flakeproof::fault::FaultScope| {
            let dir = exempt(|| tempfile::tempdir().unwrap());
            let mut sh = Command::new("sh");
            sh.args(["-c", body]).current_dir(dir.path());
            sh.stderr(std::process::Stdio::null());
            let sh = sh.faults(plan).map_err(|e| e.to_string())?;
            let ok = sh.status().unwrap().success();
            exempt(move || {
                if dir.path().join("out.tmp").exists() {
                    return Err("debris: out.tmp left behind".into());
                }
                match (ok, std::fs::read(dir.path().join("out"))) {
                    (true, Ok(d)) if d == b"data" => Ok(()),
                    (true, other) => Err(format!("exit 0, but out is {other:?}")),
                    (false, _) => Ok(()),
                }
            })
        }
    };
    // Can plans reach children here at all?
    let probe = flakeproof::fault::FaultPlan::parse("").unwrap().activate();
    if let Err(e) = Command::new("true").faults(&probe) {
        return crate::common::skip("seccomp", &e.to_string());
    }
    drop(probe);
    let leaky = sweep(
        "any(*/out*)=EIO",
        script("printf data > out.tmp && mv out.tmp out"),
    )
    .unwrap();
    // The shell's open of out.tmp, printf's write, mv's rename (two where
    // the filesystem refuses RENAME_NOREPLACE and mv falls back: bindfs).
    assert!((3..=4).contains(&leaky.points), "{leaky}");
    let ks: Vec<u64> = leaky.failures.iter().map(|f| f.k).collect();
    let after_the_open: Vec<u64> = (2..=leaky.points).collect();
    assert_eq!(ks, after_the_open, "{leaky}");
    assert!(
        leaky
            .failures
            .iter()
            .all(|f| f.call.as_ref().unwrap().exe.is_some())
    );

    let fixed = sweep(
        "any(*/out*)=EIO",
        script("{ printf data > out.tmp && mv out.tmp out; } || { rm -f out.tmp; exit 1; }"),
    )
    .unwrap();
    assert!(fixed.is_clean(), "{fixed}");
}

#[test]
fn a_scenario_that_fails_without_any_fault_is_reported() {
    let s = sweep("rename(*/never)=EIO", |_| Err("wrong result".into())).unwrap();
    assert_eq!(s.points, 0);
    assert_eq!(s.failures.len(), 1);
    assert_eq!(s.failures[0].why, "failed without the fault: wrong result");
    assert!(!s.is_clean());
    // A glob may hold `@` or `/per=`: the rule is read as parsed, not as text.
    let odd = sweep("rename(*/a@b/per=x)=EIO", |_| Ok(())).unwrap();
    assert!(odd.failures.is_empty() && odd.reached_nothing(), "{odd}");
}

/// The trap a new user fell into: code that calls `std::fs` directly. Where
/// the kernel enforces the sweep's plans (Linux), the sweep reaches it with
/// no change; with the gate alone it reaches nothing, and that must not read
/// as clean (it tested nothing), and its report must say why.
#[test]
fn a_sweep_over_code_that_uses_std_fs_reaches_it_through_the_kernel_or_says_it_reached_nothing() {
    fn save_config(dir: &std::path::Path) -> std::io::Result<()> {
        let tmp = dir.join("config.toml.tmp");
        std::fs::write(&tmp, "x = 1")?;
        std::fs::rename(&tmp, dir.join("config.toml"))
    }
    let rule = if cfg!(windows) {
        "write(*config.toml*)=ERROR_ACCESS_DENIED"
    } else {
        "write(*config.toml*)=EIO"
    };
    let leaves_no_debris = |_: &flakeproof::fault::FaultScope| {
        let dir = exempt(|| tempfile::tempdir().unwrap());
        let _ = save_config(dir.path());
        exempt(move || match dir.path().join("config.toml.tmp").exists() {
            true => Err("temp file left behind".to_string()),
            false => Ok(()),
        })
    };
    let s = sweep(rule, leaves_no_debris).unwrap();
    match &s.kernel_unavailable {
        None => {
            // std::fs::write's one write, failed: the temp file stays.
            assert_eq!(s.points, 1, "{s}");
            assert_eq!(s.failures.len(), 1, "{s}");
            assert!(s.failures[0].call.as_ref().unwrap().tid.is_some());
        }
        Some(why) => {
            // On Linux, fails the test where seccomp is required
            // (FLAKEPROOF_REQUIRE); elsewhere there are no kernel plans.
            if cfg!(target_os = "linux") {
                crate::common::skip("seccomp", why);
            }
            assert!(s.reached_nothing(), "{s}");
        }
    }
    let gated = flakeproof::Sweep::gate_only(rule, leaves_no_debris).unwrap();
    assert_eq!(gated.points, 0);
    assert!(gated.reached_nothing());
    assert!(
        !gated.is_clean(),
        "a sweep that tested nothing is not clean"
    );
    assert!(gated.to_string().contains("reached no call"), "{gated}");
    assert!(gated.to_string().contains("std::fs"), "{gated}");

    // The same code through flakeproof::fs is reached by the gate alone.
    fn save_config_fp(dir: &std::path::Path) -> std::io::Result<()> {
        let tmp = dir.join("config.toml.tmp");
        flakeproof::fs::write(&tmp, "x = 1")?;
        flakeproof::fs::rename(&tmp, dir.join("config.toml"))
    }
    let s = flakeproof::Sweep::gate_only(rule, |_| {
        let dir = tempfile::tempdir().unwrap();
        let _ = save_config_fp(dir.path());
        match dir.path().join("config.toml.tmp").exists() {
            true => Err("temp file left behind".into()),
            false => Ok(()),
        }
    })
    .unwrap();
    assert!(!s.reached_nothing());
    assert_eq!(s.points, 1, "{s}");
}
