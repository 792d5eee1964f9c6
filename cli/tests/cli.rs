//! The `flakeproof` binary, run as a user runs it: real commands under real
//! plans, and each bad input with its message and exit status.

use std::path::Path;

use assert_cmd::Command;

fn flakeproof() -> Command {
    let mut c = Command::cargo_bin("flakeproof").unwrap();
    // The tests read plain text: colour only where a test asks for it.
    c.env_remove("CLICOLOR_FORCE").env_remove("NO_COLOR");
    c
}

/// Fault plans need seccomp user notification; where the machine lacks it
/// the run says so with 124, and the tests that need it skip (CI's machine
/// has it: `FLAKEPROOF_REQUIRE=seccomp` turns the skip into a failure).
fn seccomp_here() -> bool {
    let ok = flakeproof()
        .arg("doctor")
        .output()
        .unwrap()
        .status
        .success();
    if !ok {
        let required = std::env::var("FLAKEPROOF_REQUIRE").unwrap_or_default();
        assert!(
            !required.split(',').any(|f| f.trim() == "seccomp"),
            "seccomp is required here (FLAKEPROOF_REQUIRE) but doctor says it doesn't work"
        );
        eprintln!("SKIPPED (seccomp): no seccomp user notification here");
    }
    ok
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mv_setup(dir: &Path) {
    std::fs::create_dir(dir.join("target")).unwrap();
    std::fs::write(dir.join("a"), "x").unwrap();
}

#[test]
fn mv_fails_once_with_ebusy_and_the_summary_names_the_failed_rename() {
    if !seccomp_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    mv_setup(dir.path());
    let out = flakeproof()
        .current_dir(dir.path())
        .args([
            "run",
            "--faults",
            "rename(*/target/*)=EBUSY@1",
            "--",
            "mv",
            "a",
            "target/b",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("Device or resource busy"), "{err}");
    assert!(err.contains("1 call(s) failed"), "{err}");
    let target_b = dir.path().canonicalize().unwrap().join("target/b");
    assert!(
        err.contains(&format!(
            "rename {}: Device or resource busy",
            target_b.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("/mv]") || err.contains("mv]"),
        "the executable is named: {err}"
    );
    assert!(dir.path().join("a").exists(), "the rename was not made");
}

#[test]
fn a_trigger_never_reached_lets_the_command_succeed() {
    if !seccomp_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    mv_setup(dir.path());
    let out = flakeproof()
        .current_dir(dir.path())
        .args([
            "run",
            "--faults",
            "rename(*/target/*)=EBUSY@2",
            "--",
            "mv",
            "a",
            "target/b",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("target/b").exists());
    assert!(text(&out.stderr).contains("0 call(s) failed"));
}

#[test]
fn the_record_holds_every_call_as_json_lines() {
    if !seccomp_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    mv_setup(dir.path());
    let record = dir.path().join("calls.jsonl");
    let out = flakeproof()
        .current_dir(dir.path())
        .arg("run")
        .args(["--faults", "rename(*/target/*)=EBUSY@1", "--record"])
        .arg(&record)
        .args(["--", "mv", "a", "target/b"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let injected: Vec<_> = lines
        .iter()
        .filter(|l| l["outcome"] == "injected")
        .collect();
    assert_eq!(injected.len(), 1, "{lines:?}");
    assert_eq!(injected[0]["op"], "rename");
    assert_eq!(injected[0]["errno"], 16);
    assert!(injected[0]["exe"].as_str().unwrap().ends_with("mv"));
    // The spawn of mv consulted the plan too, from this process.
    assert!(lines.iter().any(|l| l["op"] == "spawn"), "{lines:?}");
}

#[test]
fn the_json_summary_is_one_object_with_the_status() {
    if !seccomp_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    mv_setup(dir.path());
    let out = flakeproof()
        .current_dir(dir.path())
        .args([
            "run",
            "--json",
            "--faults",
            "rename(*/target/*)=EBUSY@1",
            "--",
            "mv",
            "a",
            "target/b",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    let last = err.lines().last().unwrap();
    let summary: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(summary["failed"].as_array().unwrap().len(), 1, "{summary}");
    assert_eq!(summary["status"], out.status.code().unwrap());
}

#[test]
fn a_command_killed_by_a_signal_exits_128_plus_its_number() {
    if !seccomp_here() {
        return;
    }
    let out = flakeproof()
        .args([
            "run",
            "--faults",
            "rename=EIO",
            "--",
            "sh",
            "-c",
            "kill -9 $$",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(128 + 9), "{}", text(&out.stderr));
}

#[test]
fn a_plan_that_does_not_parse_exits_125_naming_the_column_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let out = flakeproof()
        .args(["run", "--faults", "rename=EBUSYY", "--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    assert!(err.contains("--faults") && err.contains("column"), "{err}");
    assert!(!marker.exists(), "CMD must not run unfaulted");
}

#[test]
fn an_unwritable_record_exits_125_before_the_command_runs() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let out = flakeproof()
        .args(["run", "--faults", "rename=EIO", "--record"])
        .arg(dir.path().join("no/such/dir/calls.jsonl"))
        .args(["--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    assert!(
        err.contains("--record") && err.contains("calls.jsonl"),
        "{err}"
    );
    assert!(!marker.exists());
}

#[test]
fn a_command_not_found_exits_127_and_one_not_executable_126() {
    if !seccomp_here() {
        return;
    }
    let out = flakeproof()
        .args([
            "run",
            "--faults",
            "rename=EIO",
            "--",
            "no-such-command-flakeproof",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(127), "{err}");
    assert!(err.contains("no-such-command-flakeproof"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("not-executable");
    // flakeproof: allow(shell-script-stub) a file that must not be executable: the command is to refuse it
    std::fs::write(&plain, "#!/bin/sh\n").unwrap();
    let out = flakeproof()
        .args(["run", "--faults", "rename=EIO", "--"])
        .arg(&plain)
        .output()
        .unwrap();
    // Root runs a file without execute bits? No: exec needs one x bit even
    // for root, so this is 126 as root and as anyone.
    assert_eq!(out.status.code(), Some(126), "{}", text(&out.stderr));
}

#[test]
fn a_missing_command_is_a_usage_error() {
    let out = flakeproof()
        .args(["run", "--faults", "rename=EIO"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("CMD"), "{}", text(&out.stderr));
}

#[test]
fn run_inside_run_exits_123_naming_the_outer_owner() {
    if !seccomp_here() {
        return;
    }
    let me = assert_cmd::cargo::cargo_bin("flakeproof");
    let out = flakeproof()
        .args(["run", "--faults", "rename=EIO", "--"])
        .arg(&me)
        .args(["run", "--faults", "rename=EIO", "--", "true"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    // The inner run's status, passed on by the outer one.
    assert_eq!(out.status.code(), Some(123), "{err}");
    assert!(err.contains("child-plan"), "the owner is named: {err}");
}

#[test]
fn doctor_runs_and_names_the_filesystem_of_tmpdir() {
    let out = flakeproof().arg("doctor").output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("kernel:"), "{stdout}");
    assert!(stdout.contains("seccomp user notification"), "{stdout}");
    assert!(stdout.contains("read leases on TMPDIR ("), "{stdout}");
}

/// A directory with three ways of saving `out`, and the sweep's options that
/// reset it and judge it: `out` must be the old content or the new, never
/// torn.
fn save_scripts() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("in-place.sh", "printf new > out\n"),
        ("leaky.sh", "printf new > out.tmp && mv out.tmp out\n"),
        (
            "safe.sh",
            "{ printf new > out.tmp && mv out.tmp out; } || { rm -f out.tmp; exit 1; }\n",
        ),
    ] {
        let path = dir.path().join(name);
        // flakeproof: allow(shell-script-stub) programs for `flakeproof run` to start under a plan: a script is the point
        std::fs::write(&path, format!("#!/bin/sh\n{body}")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir
}

fn sweep_of(dir: &Path, rule: &str, script: &str) -> std::process::Output {
    flakeproof()
        .current_dir(dir)
        .args(["sweep", rule, "--setup", "printf old > out; rm -f out.tmp"])
        .args([
            "--check",
            r#"test "$(cat out)" = old || test "$(cat out)" = new"#,
        ])
        .args(["--watch", ".", "--", script])
        .output()
        .unwrap()
}

#[test]
fn a_sweep_finds_the_torn_point_of_a_write_in_place_and_none_in_a_safe_save() {
    if !seccomp_here() {
        return;
    }
    let dir = save_scripts();
    let torn = sweep_of(dir.path(), "write(*/out*)=EIO", "./in-place.sh");
    let report = text(&torn.stdout);
    assert_eq!(torn.status.code(), Some(1), "{report}");
    assert!(report.contains("CHECK FAILED"), "{report}");
    assert!(report.contains("write "), "{report}");

    let safe = sweep_of(dir.path(), "any(*/out*)=EIO", "./safe.sh");
    let report = text(&safe.stdout);
    assert_eq!(
        safe.status.code(),
        Some(0),
        "{report}{}",
        text(&safe.stderr)
    );
    assert!(report.contains(" 0 not recovered from"), "{report}");
    assert!(
        !report.contains("DEBRIS") && !report.contains("CHECK FAILED"),
        "{report}"
    );
}

#[test]
fn a_sweep_reports_the_temp_file_a_failed_save_leaves_behind() {
    if !seccomp_here() {
        return;
    }
    let dir = save_scripts();
    let out = sweep_of(dir.path(), "write(*/out*)=EIO", "./leaky.sh");
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("DEBRIS: ./out.tmp"), "{report}");
}

#[test]
fn a_sweep_that_reaches_nothing_exits_122_and_bad_options_125() {
    if !seccomp_here() {
        return;
    }
    let dir = save_scripts();
    let out = sweep_of(dir.path(), "rename(*/elsewhere)=EIO", "./safe.sh");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(122), "{err}");
    assert!(err.contains("reached no call"), "{err}");

    let out = flakeproof()
        .args(["sweep", "write=EIO@2", "--", "true"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    assert!(err.contains("without a trigger"), "{err}");

    let out = flakeproof()
        .args([
            "sweep",
            "write=EIO",
            "--watch",
            "/no/such/dir",
            "--",
            "true",
        ])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{err}");
    assert!(err.contains("/no/such/dir"), "{err}");
}

#[test]
fn stress_counts_failures_groups_their_signatures_and_gives_the_interval() {
    // Every fourth run fails, as a flake would, saying what a shell says.
    let out = flakeproof()
        .args(["stress", "-n", "40", "-j", "4", "--", "sh", "-c"])
        .arg(r#"[ $((FLAKEPROOF_STRESS_RUN % 4)) -ne 0 ] || { echo "sh: 1: ./stub-$$: Text file busy" >&2; exit 2; }"#)
        .output()
        .unwrap();
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("40 run(s), 10 failed (25.00 %"), "{report}");
    assert!(report.contains("10 × Text file busy"), "{report}");

    let out = flakeproof()
        .args(["stress", "-n", "8", "-j", "2", "--json", "--", "true"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["runs"].as_u64(), r["failed"].as_u64()),
        (Some(8), Some(0))
    );
    assert_eq!(r["rate_low"], 0.0);
}

#[test]
fn stress_until_fail_stops_at_the_first_failure_and_keeps_its_output() {
    let out = flakeproof()
        .args([
            "stress",
            "-n",
            "1000",
            "-j",
            "1",
            "--until-fail",
            "--",
            "sh",
            "-c",
        ])
        .arg(r#"[ "$FLAKEPROOF_STRESS_RUN" != 3 ] || { echo "the third went wrong" >&2; exit 1; }"#)
        .output()
        .unwrap();
    let (report, err) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1));
    assert!(report.contains("4 run(s), 1 failed"), "{report}");
    assert!(
        err.contains("run 3") && err.contains("the third went wrong"),
        "{err}"
    );
}

#[test]
fn a_ctrl_c_ends_the_command_and_the_summary_is_still_printed_with_130() {
    if !seccomp_here() {
        return;
    }
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    // Its own process group, as a shell gives a foreground job: the
    // terminal's Ctrl-C is a SIGINT to that whole group.
    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("flakeproof"));
    run.args(["run", "--faults", "rename=EIO", "--", "sh", "-c"])
        .arg(format!("touch {}; exec sleep 30", started.display()))
        .stderr(std::process::Stdio::piped())
        .process_group(0);
    let child = run.spawn().unwrap();
    // Wait for the event (CMD started), not for a timer: the deadline only
    // bounds a test that is failing anyway.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !started.exists() {
        assert!(std::time::Instant::now() < deadline, "CMD never started");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: kill takes plain integers; the group is the child's own.
    assert_eq!(unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("consulted the plan"), "the summary: {err}");
}

/// A stress run with one failure in four, its report and stderr.
fn stress_quarter_failing(extra_env: &[(&str, &str)]) -> (String, String) {
    let mut c = flakeproof();
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let out = c
        .args(["stress", "-n", "8", "--", "sh", "-c"])
        .arg(r#"[ $((FLAKEPROOF_STRESS_RUN % 4)) -ne 0 ] || { echo busy >&2; exit 2; }"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn colour_and_progress_only_on_a_terminal_and_no_color_wins() {
    // Piped, as in CI: no escape codes, no carriage returns.
    let (report, stderr) = stress_quarter_failing(&[]);
    assert!(
        report.contains("2 failed") && !report.contains('\x1b'),
        "{report:?}"
    );
    assert!(!stderr.contains('\r'), "{stderr:?}");
    // Forced: the verdict is painted, the text unchanged inside.
    let (report, _) = stress_quarter_failing(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        report.contains("\x1b[") && report.contains("2 failed\x1b[0m"),
        "{report:?}"
    );
    let (report, _) = stress_quarter_failing(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!report.contains('\x1b'), "{report:?}");
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), stress
/// shows a progress line and clears it before the report.
#[test]
fn stress_shows_a_progress_line_on_a_terminal() {
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("SKIPPED: no util-linux `script` for a pseudo-terminal");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("flakeproof");
    let inner = format!("{} stress -n 5 -- true", bin.display());
    let out = std::process::Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen:?}");
    assert!(
        screen.contains("\rflakeproof stress: 1/5 run(s), 0 failed\x1b[K"),
        "{screen:?}"
    );
    // Cleared, then the report on a clean line, painted (a terminal).
    let report = screen.rfind("5 run(s), ").unwrap();
    assert!(
        screen[..report].ends_with("\r\x1b[Kflakeproof stress: "),
        "{screen:?}"
    );
    assert!(screen[report..].contains("\x1b["), "{screen:?}");
}

#[test]
fn shield_exits_with_the_commands_status_and_says_what_it_held() {
    if !seccomp_here() {
        return;
    }
    let out = flakeproof()
        .args(["shield", "--", "sh", "-c", "true; exit 3"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("flakeproof shield: ") && stderr.contains("0 held"),
        "{stderr}"
    );
    // --report: the same, as JSON, in a file.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("shield.json");
    let out = flakeproof()
        .args(["shield", "--budget", "2s", "--report"])
        .arg(&report)
        .args(["--", "sh", "-c", "/bin/true"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["status"], 0);
    assert_eq!(r["budget_ms"], 2000.0);
    assert!(r["execs"].as_u64().unwrap() >= 2, "{r}"); // sh, then /bin/true
}

#[test]
fn shield_inside_shield_exits_123_naming_it_unless_allowed_unshielded() {
    if !seccomp_here() {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("flakeproof");
    let out = flakeproof()
        .args(["shield", "--"])
        .arg(&bin)
        .args(["shield", "--", "sh", "-c", "echo ran"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(123), "{stderr}");
    assert!(stderr.contains("flakeproof's shield"), "{stderr}");
    assert!(!text(&out.stdout).contains("ran"), "CMD must not run");

    let out = flakeproof()
        .args(["shield", "--"])
        .arg(&bin)
        .args(["shield", "--allow-unshielded", "--", "sh", "-c", "echo ran"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: CMD runs unshielded"), "{stderr}");
    assert_eq!(text(&out.stdout), "ran\n");
}

#[test]
fn shield_bad_budget_or_report_path_exits_125_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let touch = format!("touch {}", marker.display());
    let out = flakeproof()
        .args(["shield", "--budget", "soon", "--", "sh", "-c", &touch])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("--budget \"soon\""),
        "{}",
        text(&out.stderr)
    );
    let out = flakeproof()
        .args(["shield", "--report"])
        .arg(dir.path().join("no/such/dir/r.json"))
        .args(["--", "sh", "-c", &touch])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("--report"),
        "{}",
        text(&out.stderr)
    );
    assert!(!marker.exists(), "CMD must not run");
}

#[test]
fn run_with_shield_fails_the_planned_call_and_reports_the_shield_too() {
    if !seccomp_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    mv_setup(dir.path());
    let out = flakeproof()
        .current_dir(dir.path())
        .args([
            "run",
            "--shield",
            "--faults",
            "rename(*/target/*)=EBUSY@1",
            "--",
        ])
        .args(["mv", "a", "target/b"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("Device or resource busy"), "{stderr}");
    assert!(stderr.contains("1 call(s) failed"), "{stderr}");
    assert!(stderr.contains("flakeproof shield: 1 exec(s)"), "{stderr}");
}

// `flakeproof scan`: exit statuses, outputs, allow comments, --fix.

const SCAN_BAD: &str = r#"
#[cfg(windows)]
fn swap(a: &std::path::Path, b: &std::path::Path) {
    std::fs::rename(a, b).unwrap();
}
"#;

fn scan_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::create_dir_all(dir.path().join("target/debug")).unwrap();
    std::fs::create_dir_all(dir.path().join(".hidden")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::write(dir.path().join("src/ok.rs"), "fn f() {}\n").unwrap();
    std::fs::write(dir.path().join("src/bad.rs"), SCAN_BAD).unwrap();
    // Skipped: build output (cargo's target/, beside Cargo.toml) and hidden
    // directories.
    std::fs::write(dir.path().join("target/debug/gen.rs"), SCAN_BAD).unwrap();
    std::fs::write(dir.path().join(".hidden/x.rs"), SCAN_BAD).unwrap();
    dir
}

#[test]
fn scan_exits_0_when_clean_and_1_with_findings_in_rustc_shape() {
    let dir = scan_tree();
    let clean = flakeproof()
        .args(["scan", "src/ok.rs"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean.stderr));
    let out = flakeproof()
        .arg("scan")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("warning[unretried-windows-fs]"), "{stdout}");
    assert!(stdout.contains("--> src/bad.rs:4:14"), "{stdout}");
    assert!(stdout.contains("flakeproof::robust::rename"), "{stdout}");
    assert!(
        !stdout.contains("target/debug") && !stdout.contains(".hidden"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("1 finding(s) in 2 file(s)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scan_json_and_sarif_are_one_document_each() {
    let dir = scan_tree();
    let out = flakeproof()
        .args(["scan", "--json", "src"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "unretried-windows-fs");
    assert_eq!(v["findings"][0]["file"], "src/bad.rs");
    assert_eq!(v["findings"][0]["line"], 4);
    assert_eq!(v["files"], 2);
    let out = flakeproof()
        .args(["scan", "--sarif", "src"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "unretried-windows-fs");
}

#[test]
fn scan_allow_comment_with_a_reason_silences() {
    let dir = tempfile::tempdir().unwrap();
    let src = SCAN_BAD.replace(
        "    std::fs::rename(a, b).unwrap();",
        "    // flakeproof: allow(unretried-windows-fs) the caller retries\n    std::fs::rename(a, b).unwrap();",
    );
    std::fs::write(dir.path().join("a.rs"), src).unwrap();
    let out = flakeproof()
        .args(["scan", "a.rs"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("1 silenced"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scan_names_a_file_that_does_not_parse_exits_3_and_scans_the_rest() {
    let dir = scan_tree();
    std::fs::write(dir.path().join("src/broken.rs"), "fn f( {\n").unwrap();
    let out = flakeproof()
        .args(["scan", "src"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(
        stdout.contains("error[parse]") && stdout.contains("src/broken.rs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning[unretried-windows-fs]"),
        "the rest was scanned: {stdout}"
    );
}

/// What the scan could not read, and what it must not parse, are errors
/// (exit 3) in every output, and the rest is still scanned: a directory it
/// can't list (as uid 65534, or as root where the permission bits don't
/// bind: then it is listed and this part has nothing to show), a file
/// nested too deep to parse safely. A linked root is followed.
#[test]
fn scan_reports_what_it_could_not_read_or_parse_in_every_output() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scan_tree();
    let deep = format!(
        "fn f() {{ let _ = {}0{}; }}\n",
        "(".repeat(600),
        ")".repeat(600)
    );
    std::fs::write(dir.path().join("src/deep.rs"), deep).unwrap();
    let locked = dir.path().join("src/locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("x.rs"), "fn f() {}\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let listable = std::fs::read_dir(&locked).is_ok();
    let out = flakeproof()
        .args(["scan", "--json", "src"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = v["errors"].as_array().unwrap();
    let deep = errors.iter().find(|e| e["file"] == "src/deep.rs").unwrap();
    assert!(
        deep["message"].as_str().unwrap().contains("nest deeper"),
        "{deep}"
    );
    assert_eq!(deep["unreadable"], false);
    if !listable {
        let locked = errors.iter().find(|e| e["file"] == "src/locked").unwrap();
        assert_eq!(locked["unreadable"], true, "{locked}");
        assert!(
            locked["message"].as_str().unwrap().contains("os error 13"),
            "{locked}"
        );
    }
    assert_eq!(
        v["findings"][0]["file"], "src/bad.rs",
        "the rest was scanned"
    );
    // The same in SARIF: the run is not successful, each file named.
    let out = flakeproof()
        .args(["scan", "--sarif", "src/deep.rs"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &v["runs"][0]["invocations"][0];
    assert_eq!(run["executionSuccessful"], false);
    // A linked root is scanned, not skipped as a link.
    std::os::unix::fs::symlink(dir.path().join("src"), dir.path().join("linked")).unwrap();
    let out = flakeproof()
        .args(["scan", "linked/bad.rs", "linked"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains("linked/bad.rs:4"),
        "{}",
        text(&out.stdout)
    );
}

/// `--exclude` names the same path however it is spelled, and one that
/// names nothing is a mistake, not a silent no-op.
#[test]
fn scan_exclude_matches_however_spelled_and_must_exist() {
    let dir = scan_tree();
    let absolute = dir.path().join("src/bad.rs");
    for spelled in [
        "src/bad.rs",
        "./src/bad.rs",
        "src/../src/bad.rs",
        absolute.to_str().unwrap(),
    ] {
        let out = flakeproof()
            .args(["scan", "src", "--exclude", spelled])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "--exclude {spelled}: {}",
            text(&out.stdout)
        );
    }
    let out = flakeproof()
        .args(["scan", "src", "--exclude", "src/nope"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--exclude src/nope"),
        "{}",
        text(&out.stderr)
    );
    let empty = tempfile::tempdir().unwrap();
    let out = flakeproof()
        .args(["scan"])
        .current_dir(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("nothing was scanned"),
        "{}",
        text(&out.stderr)
    );
}

/// A source module named `target` is scanned; cargo's build directory
/// (beside a Cargo.toml, or holding its CACHEDIR.TAG) is not.
#[test]
fn scan_skips_cargos_target_dir_not_a_module_named_target() {
    let dir = scan_tree();
    std::fs::create_dir_all(dir.path().join("src/target")).unwrap();
    std::fs::write(dir.path().join("src/target/mod.rs"), SCAN_BAD).unwrap();
    std::fs::create_dir_all(dir.path().join("elsewhere/target")).unwrap();
    std::fs::write(dir.path().join("elsewhere/target/CACHEDIR.TAG"), "").unwrap();
    std::fs::write(dir.path().join("elsewhere/target/gen.rs"), SCAN_BAD).unwrap();
    let out = flakeproof()
        .arg("scan")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("--> src/target/mod.rs:4"), "{stdout}");
    assert!(!stdout.contains("gen.rs"), "{stdout}");
}

/// The same tree prints the same with one worker or four: findings come
/// in the walk's order, not as workers finish (here a large first file
/// would finish last).
#[test]
fn scan_output_is_in_walk_order_whatever_the_workers() {
    let dir = tempfile::tempdir().unwrap();
    let big: String = std::iter::repeat_n("fn filler() { let _ = (1, 2, 3); }\n", 5_000).collect();
    std::fs::write(dir.path().join("a.rs"), format!("{SCAN_BAD}{big}")).unwrap();
    for i in 0..8 {
        std::fs::write(dir.path().join(format!("b{i}.rs")), SCAN_BAD).unwrap();
    }
    let run = |jobs: &str| {
        let out = flakeproof()
            .args(["scan", "-j", jobs, "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        text(&out.stdout)
    };
    let one = run("1");
    assert!(
        one.find("a.rs").unwrap() < one.find("b0.rs").unwrap(),
        "{one}"
    );
    assert_eq!(run("4"), one);
}

/// An unretried rename of a staged program in code every OS builds: a
/// finding only where the crate is built for Windows.
const PLACE: &str =
    "pub fn place(tmp_path: &Path, exe: &Path) {\n    fs::rename(tmp_path, exe).unwrap();\n}\n";

/// Code every OS builds counts as Windows code when its crate is built for
/// Windows: its Cargo.toml targets Windows, or another of its files names
/// Windows in a cfg. A crate saying neither, and a crate nested inside one
/// that does, are not.
#[test]
fn scan_reads_code_every_os_builds_as_windows_code_in_a_crate_built_for_windows() {
    let dir = tempfile::tempdir().unwrap();
    let krate = |name: &str, manifest_extra: &str, other: &str| {
        let root = dir.path().join(name);
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            format!("[package]\nname = \"{name}\"\n{manifest_extra}"),
        )
        .unwrap();
        std::fs::write(root.join("src/place.rs"), PLACE).unwrap();
        std::fs::write(root.join("src/other.rs"), other).unwrap();
    };
    krate(
        "by_manifest",
        "[target.'cfg(windows)'.dependencies]\njunction = \"1\"\n",
        "",
    );
    krate("by_cfg", "", "#[cfg(windows)]\nfn w() {}\n");
    krate("neither", "", "#[cfg(unix)]\nfn u() {}\n");
    // Nested in a Windows crate, with no Windows of its own.
    std::fs::create_dir_all(dir.path().join("by_cfg/inner/src")).unwrap();
    std::fs::write(
        dir.path().join("by_cfg/inner/Cargo.toml"),
        "[package]\nname = \"inner\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("by_cfg/inner/src/place.rs"), PLACE).unwrap();
    let out = flakeproof()
        .args(["scan", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let flagged: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--> "))
        .collect();
    assert_eq!(
        flagged,
        ["by_cfg/src/place.rs:2:9", "by_manifest/src/place.rs:2:9"],
        "{stdout}"
    );
    assert_eq!(
        stdout
            .matches("note: the crate is built for Windows")
            .count(),
        2,
        "each says why code with no cfg counts: {stdout}"
    );
    // `--windows` takes every file as Windows code.
    let out = flakeproof()
        .args(["scan", "--windows", "neither", "by_cfg/inner"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout).matches("--> ").count(), 2);
}

/// What the user excluded is not read for the crate's facts (a fixture
/// naming Windows makes no crate Windows-built), and the path rules read
/// the path inside the crate: a checkout under a directory named `test` is
/// not all test code.
#[test]
fn scan_crate_facts_skip_exclusions_and_read_paths_inside_the_crate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("test/app");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("fixtures")).unwrap();
    std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
    std::fs::write(root.join("src/place.rs"), PLACE).unwrap();
    std::fs::write(
        root.join("fixtures/sample.rs"),
        "#[cfg(windows)]\nfn w() {}\n",
    )
    .unwrap();
    let scan = |args: &[&str]| {
        let out = flakeproof()
            .arg("scan")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        text(&out.stdout).matches("--> ").count()
    };
    // The fixture makes the crate Windows-built; under test/ or not, src/
    // is no test code.
    assert_eq!(scan(&["test/app/src"]), 1);
    assert_eq!(scan(&["test/app/src", "--exclude", "test/app/fixtures"]), 0);
}

#[test]
fn scan_of_a_missing_path_is_a_clear_error() {
    let out = flakeproof()
        .args(["scan", "/nonexistent/flakeproof"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/nonexistent/flakeproof: No such file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scan_fix_rewrites_a_retry_loop_into_the_retrying_spawn() {
    let dir = tempfile::tempdir().unwrap();
    let src =
        "fn run(cmd: &mut std::process::Command) -> std::io::Result<std::process::ExitStatus> {
    loop {
        match cmd.status() {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            other => break other,
        }
    }
}
";
    std::fs::write(dir.path().join("run.rs"), src).unwrap();
    let out = flakeproof()
        .args(["scan", "--fix", "run.rs"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("fixed run.rs:2"),
        "{}",
        text(&out.stderr)
    );
    let fixed = std::fs::read_to_string(dir.path().join("run.rs")).unwrap();
    assert!(fixed.contains("match cmd.status_retrying() {"), "{fixed}");
    assert!(fixed.contains("use flakeproof::SpawnRetryExt;"), "{fixed}");
}

/// Issue 23's check on flakeproof itself: its whole repository (the
/// library, its tests and examples, the command, the new users' crates)
/// gives no finding that is not silenced with a reason. The scanner's own
/// inputs (tests/scan_corpus: real and hand-made flaky code; its fixture
/// corpus and --fix cases) are excluded, and the corpus shown to be what
/// `--exclude` removes.
#[test]
fn scan_of_flakeproofs_own_repository_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if std::fs::read_dir(root.join("tests")).is_err() {
        // CI's unprivileged run copies the binaries out of a checkout it may not read.
        eprintln!(
            "SKIPPED (checkout): {} is not readable here",
            root.display()
        );
        return;
    }
    let out = flakeproof()
        .args([
            "scan",
            ".",
            "--exclude",
            "tests/scan_corpus",
            "--exclude",
            "scan/tests/fixture_corpus",
            "--exclude",
            "scan/tests/fix_cases",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    if root.join("tests/scan_corpus").is_dir() {
        let corpus = flakeproof()
            .args(["scan", "tests", "--exclude", "./tests/scan_corpus/real"])
            .current_dir(&root)
            .output()
            .unwrap();
        assert_eq!(
            corpus.status.code(),
            Some(1),
            "the hand-made corpus has findings"
        );
        let listed = text(&corpus.stdout);
        assert!(listed.contains("tests/scan_corpus/tune/"), "{listed}");
        assert!(!listed.contains("tests/scan_corpus/real/"), "{listed}");
    }
}
