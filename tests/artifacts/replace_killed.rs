//! A replacer SIGKILLed at random moments, 1,000 times: the destination is
//! always the whole old or the whole new program, and runs; what a kill
//! leaves is only hidden temp files, which the next locked replace sweeps.
//! The replacer is this test binary, re-run as a child process.
// Linux only: SIGKILL, and #!/bin/sh programs.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use flakeproof::{ArtifactLock, replace::Replacer};

const DIR: &str = "FLAKEPROOF_REPLACE_DIR";

/// A program that says which version it is, padded so that writing it
/// takes a while (more moments to be killed in).
fn version(v: u8) -> Vec<u8> {
    let mut p = format!("#!/bin/sh\necho v{v}\nexit 0\n").into_bytes();
    p.resize(256 * 1024, b'#');
    p
}

/// The child: replace `app` with v1 and v2 in turn, forever, under the lock.
#[test]
#[ignore = "run by the parent test as a child process"]
fn child_replaces_forever() {
    let dir = PathBuf::from(std::env::var(DIR).expect("run by the parent"));
    let replacer = Replacer::new()
        .durable(false)
        .skip_identical(false)
        .lock(ArtifactLock::new(&dir));
    println!("ready");
    for i in 0u64.. {
        let src = dir.join(if i % 2 == 0 { "v1" } else { "v2" });
        replacer.replace(&src, dir.join("app")).unwrap();
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !["v1", "v2", "app", ".app.lock", ".app.lock.holder"].contains(&n.as_str()))
        .collect()
}

#[test]
fn a_replacer_killed_at_any_moment_leaves_a_whole_program_and_only_sweepable_debris() {
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (version(1), version(2));
    std::fs::write(dir.path().join("v1"), &v1).unwrap();
    std::fs::write(dir.path().join("v2"), &v2).unwrap();
    for v in ["v1", "v2"] {
        let p = dir.path().join(v);
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let app = dir.path().join("app");
    flakeproof::replace_executable(dir.path().join("v1"), &app).unwrap();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut debris_seen = 0;
    for i in 0..1000 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "replace_killed::child_replaces_forever",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.trim_end().ends_with("ready") {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "cycle {i}: the child died early"
            );
        }
        // A random moment within its next few replacements.
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_micros((rng >> 33) % 3000));
        child.kill().unwrap();
        child.wait().unwrap();

        let now = std::fs::read(&app).unwrap();
        assert!(
            now == v1 || now == v2,
            "cycle {i}: the program is torn ({} bytes)",
            now.len()
        );
        let ran = Command::new(&app).output().unwrap();
        assert!(
            ran.stdout == b"v1\n" || ran.stdout == b"v2\n",
            "cycle {i}: {ran:?}"
        );
        let left = leftovers(dir.path());
        assert!(
            left.iter()
                .all(|n| n.starts_with(".app.") && n.ends_with(".flakeproof-tmp")),
            "cycle {i}: {left:?}"
        );
        debris_seen += left.len();
    }
    // The next locked replace sweeps what the kills left.
    Replacer::new()
        .lock(ArtifactLock::new(dir.path()))
        .skip_identical(false)
        .replace(dir.path().join("v2"), &app)
        .unwrap();
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    eprintln!(
        "1000 kills: the program was whole every time; temp files left by a kill, seen in all: {debris_seen}"
    );
}
