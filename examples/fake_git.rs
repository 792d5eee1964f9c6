//! A typical flaky test, rewritten with `FakeDir`.
//!
//! The code under test runs `git rev-parse --abbrev-ref HEAD` to learn the
//! branch. Its tests put a fake `git` on PATH. The hand-written way (cargo's
//! and rustup's test support have their own versions of it): write a
//! `#!/bin/sh` script, chmod it, run the code. Run by `cargo test`, several
//! such tests run at once on threads of one process, and a thread that
//! forks while another's script is still open for writing hands that
//! descriptor to its child: the exec of the script fails with ETXTBSY
//! ("Text file busy"), now and then.
//!
//! This example runs the same test body both ways, from 4 threads at once,
//! and counts failures. It exits non-zero if the `FakeDir` way fails once,
//! or records a call wrongly.
//!
//!     cargo run --release --example fake_git [-- --tests 200]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::process::Command;

use flakeproof::fake::{ArgMatch, FakeDir, Reply};

/// The code under test: which branch is checked out, by asking `git`.
fn current_branch(path_env: &OsString) -> io::Result<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--abbrev-ref", "HEAD"])
        .env("PATH", path_env)
        .output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!("git failed: {}", out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The hand-written way: a script, written and made executable in place.
#[cfg(unix)]
fn test_with_a_script(tmp: &std::path::Path, i: usize) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp.join(format!("script-{i}"));
    std::fs::create_dir(&dir)?;
    let git = dir.join("git");
    std::fs::write(&git, format!("#!/bin/sh\necho feature-{i}\n"))?;
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755))?;
    // The fake first, then the usual PATH, as such tests do.
    let mut path = dir.clone().into_os_string();
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    let branch = current_branch(&path)?;
    assert_eq!(branch, format!("feature-{i}"));
    std::fs::remove_dir_all(&dir)
}

/// The same test with `FakeDir`: the fake is a hard link to a compiled
/// program, never open for writing, and it records the call.
fn test_with_fakedir(i: usize) -> io::Result<()> {
    let fakes = FakeDir::new()?;
    let git = fakes.fake("git").install()?;
    git.when(ArgMatch::exact(["rev-parse", "--abbrev-ref", "HEAD"]))
        .reply(Reply::stdout(format!("feature-{i}\n")))?;
    let branch = current_branch(&fakes.path_env_prepended())?;
    assert_eq!(branch, format!("feature-{i}"));
    // What a script fake can't tell you: exactly how it was called.
    fakes.verify().map_err(io::Error::other)?;
    Ok(())
}

fn run_threads(
    tests: usize,
    body: impl Fn(usize) -> io::Result<()> + Sync,
) -> BTreeMap<String, u64> {
    let failures = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for t in 0..4 {
            let (body, failures) = (&body, &failures);
            s.spawn(move || {
                for i in 0..tests {
                    if let Err(e) = body(t * tests + i) {
                        let key = match e.raw_os_error() {
                            Some(code) => format!("{:?} (errno {code})", e.kind()),
                            None => e.to_string(),
                        };
                        *failures.lock().unwrap().entry(key).or_insert(0) += 1;
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let tests: usize = args
        .iter()
        .position(|a| a == "--tests")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(200);
    let total = 4 * tests;
    println!("{total} runs of the same test each way, 4 threads at once\n");

    #[cfg(unix)]
    {
        let tmp = tempfile::tempdir().unwrap();
        let failed = run_threads(tests, |i| test_with_a_script(tmp.path(), i));
        let n: u64 = failed.values().sum();
        println!(
            "#!/bin/sh script written in place: {n} of {total} failed ({:.1} %)",
            n as f64 * 100.0 / total as f64
        );
        for (why, count) in &failed {
            println!("    {count:>5}  {why}");
        }
    }

    let failed = run_threads(tests, test_with_fakedir);
    let n: u64 = failed.values().sum();
    println!("FakeDir:                           {n} of {total} failed");
    for (why, count) in &failed {
        println!("    {count:>5}  {why}");
    }
    if n > 0 {
        eprintln!("FakeDir failed");
        std::process::exit(1);
    }
}
