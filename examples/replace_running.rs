//! The `dx serve` failure, reproduced with real processes: builders copy a
//! fresh program over the one a server keeps running. `std::fs::copy` onto
//! the destination rewrites it in place: Linux refuses while it runs
//! (ETXTBSY, the builder fails) and the server's exec of a half-written file
//! fails too. `replace_executable` writes beside it and renames: neither
//! side fails. (macOS's EPERM and "Killed: 9" can't be produced here; fault
//! plans stand in for them in the tests.)
//!
//!     cargo run --release --example replace_running [-- --builders 3 --rounds 40]
//!
//! Exits non-zero if anything failed with replace_executable.

use std::path::Path;
use std::process::{Command, Stdio};

fn arg(args: &[String], flag: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// A builder: replace `dst` with `src`, `rounds` times; print failures.
fn build(naive: bool, src: &Path, dst: &Path, rounds: usize) {
    let mut failed = 0;
    for _ in 0..rounds {
        let r = if naive {
            std::fs::copy(src, dst).map(drop)
        } else {
            flakeproof::replace::Replacer::new()
                .durable(false)
                .skip_identical(false)
                .replace(src, dst)
                .map(drop)
                .map_err(std::io::Error::from)
        };
        failed += u32::from(r.is_err());
        // A rebuild is not a tight loop: give the server time to run it.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    println!("failed={failed}");
}

/// The server: run `dst` (a copy of sleep) `rounds` times; print failures.
fn serve(dst: &Path, rounds: usize) {
    let mut failed = 0;
    for _ in 0..rounds {
        let ok = Command::new(dst)
            .arg("0.005")
            .status()
            .is_ok_and(|s| s.success());
        failed += u32::from(!ok);
    }
    println!("failed={failed}");
}

fn failures(child: std::process::Child) -> u32 {
    let out = child.wait_with_output().expect("child");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("failed=")?.parse().ok())
        .unwrap_or_else(|| panic!("no result from a child: {text}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--build") => {
            return build(
                args[2] == "naive",
                Path::new(&args[3]),
                Path::new(&args[4]),
                args[5].parse().unwrap(),
            );
        }
        Some("--serve") => return serve(Path::new(&args[2]), args[3].parse().unwrap()),
        _ => {}
    }
    if !cfg!(target_os = "linux") {
        eprintln!(
            "replace_running: the in-place rewrite is refused only by Linux; nothing to show here"
        );
        return;
    }
    let Ok(program) = std::fs::read("/bin/sleep") else {
        eprintln!("replace_running: needs /bin/sleep to copy");
        return;
    };
    let builders = arg(&args, "--builders", 3).max(1);
    let rounds = arg(&args, "--rounds", 40).max(1);
    let me = std::env::current_exe().expect("own path");
    println!(
        "replace_running: {builders} builder processes x {rounds} replacements of a running program, one server running it meanwhile\n"
    );
    println!("| builders use | builds failed | server runs failed |");
    println!("|---|---:|---:|");
    let mut flakeproof_failed = 0;
    for naive in [true, false] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (build_out, dst) = (dir.path().join("target-out"), dir.path().join("served-app"));
        std::fs::write(&build_out, &program).expect("write the build");
        #[cfg(unix)]
        std::fs::set_permissions(
            &build_out,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("an executable build");
        flakeproof::replace_executable(&build_out, &dst).expect("first deploy");
        let server = Command::new(&me)
            .args([
                "--serve".as_ref(),
                dst.as_os_str(),
                (rounds * builders).to_string().as_ref(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("server");
        let mode = if naive { "naive" } else { "flakeproof" };
        let children: Vec<_> = (0..builders)
            .map(|_| {
                Command::new(&me)
                    .args([
                        "--build".as_ref(),
                        mode.as_ref(),
                        build_out.as_os_str(),
                        dst.as_os_str(),
                        rounds.to_string().as_ref(),
                    ])
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("builder")
            })
            .collect();
        let built: u32 = children.into_iter().map(failures).sum();
        let served = failures(server);
        println!(
            "| {} | {built} of {} | {served} of {} |",
            if naive {
                "std::fs::copy onto it"
            } else {
                "replace_executable"
            },
            builders * rounds,
            builders * rounds
        );
        if !naive {
            flakeproof_failed = built + served;
        }
    }
    if flakeproof_failed > 0 {
        eprintln!("\nreplace_executable let {flakeproof_failed} failures through: that is a bug");
        std::process::exit(1);
    }
}
