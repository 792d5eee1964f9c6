//! `--fix`: the mechanical rewrite of a retry loop around a spawn, on
//! strings, and on a crate of real shapes (scan/tests/fix_cases/) that
//! must still build and pass its tests afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;

use flakeproof_scan::fix;

const CASES: &str = include_str!("../fix_cases/src/lib.rs");

#[test]
fn the_three_real_shapes_are_rewritten_and_no_check_is_left() {
    let fixed = fix("src/lib.rs", CASES).unwrap();
    assert_eq!(fixed.rewritten.len(), 3, "{}", fixed.text);
    for m in ["output_retrying()", "spawn_retrying()", "status_retrying()"] {
        assert!(fixed.text.contains(m), "{m}: {}", fixed.text);
    }
    assert_eq!(
        fixed.text.matches("use flakeproof::SpawnRetryExt;").count(),
        3
    );
    let left = super::findings("src/lib.rs", &fixed.text);
    assert!(left.is_empty(), "{left:?}");
    // A second pass finds nothing to do.
    assert_eq!(
        fix("src/lib.rs", &fixed.text).unwrap().rewritten,
        Vec::<usize>::new()
    );
}

#[test]
fn loops_that_are_not_a_plain_match_on_a_spawn_are_left_alone() {
    let src = r#"
fn a(cmd: &mut Command) -> io::Result<Output> {
    loop {
        let r = cmd.output();
        match r {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            other => return other,
        }
    }
}
fn b(p: &Path) -> io::Result<u64> {
    loop {
        match fs::copy("a", p) {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            other => return other,
        }
    }
}
fn c(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => return Err(e),
            Ok(o) if o.status.success() => return Ok(o),
            Ok(_) => {}
        }
    }
}
"#;
    let fixed = fix("src/a.rs", src).unwrap();
    assert!(fixed.rewritten.is_empty());
    assert_eq!(fixed.text, src);
}

/// The review's cases: a loop silenced by an allow comment, a kept arm
/// that uses the loop's counter (`attempt` would be unbound), an arm under
/// `#[cfg]` and a comment between arms (both would be lost), a string
/// spanning lines in a kept arm (re-indenting would change its text) are
/// left as they are; a loop beside them that is none of these is rewritten.
#[test]
fn loops_a_rewrite_would_break_or_that_are_silenced_are_left_alone() {
    let src = r#"
fn silenced(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            // flakeproof: allow(hand-rolled-etxtbsy-retry) measured on purpose
            Err(e) if e.raw_os_error() == Some(26) => continue,
            other => return other,
        }
    }
}
fn counter(cmd: &mut Command) -> io::Result<Child> {
    for attempt in 0..5 {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(26) => sleep(ms(10)),
            Err(e) => { eprintln!("{attempt}"); return Err(e) }
            Ok(c) => return Ok(c),
        }
    }
    unreachable!()
}
fn attributed(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            #[cfg(unix)]
            Err(e) => return Err(e),
            Ok(o) => return Ok(o),
        }
    }
}
fn commented(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            // Anything else is the caller's.
            other => return other,
        }
    }
}
fn multiline(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            Err(e) => panic!("failed:
    {e}"),
            Ok(o) => return Ok(o),
        }
    }
}
fn plain(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => continue,
            Err(e) => panic!("failed: {e}"),
            Ok(o) => return Ok(o),
        }
    }
}
"#;
    let fixed = fix("src/a.rs", src).unwrap();
    assert_eq!(fixed.rewritten, [51], "{}", fixed.text);
    let (before, after) = src.split_at(src.find("fn plain").unwrap());
    assert!(fixed.text.starts_with(before), "{}", fixed.text);
    assert!(
        fixed.text.contains("match cmd.output_retrying() {"),
        "{}",
        fixed.text
    );
    assert_ne!(&fixed.text[before.len()..], after);
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Building a crate costs about a minute cold: CI runs this in a step of
/// its own with `FLAKEPROOF_SCAN_FIX_BUILD=1`; elsewhere it skips.
#[test]
fn the_fixed_cases_still_build_and_pass_their_tests() {
    if std::env::var("FLAKEPROOF_SCAN_FIX_BUILD").as_deref() != Ok("1") {
        eprintln!("SKIPPED (fix-build): set FLAKEPROOF_SCAN_FIX_BUILD=1 to build the fixed cases");
        return;
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = here.parent().unwrap().canonicalize().unwrap();
    let tmp = std::env::temp_dir().join(format!("flakeproof-fix-cases-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&here.join("tests/fix_cases"), &tmp);
    let manifest = tmp.join("Cargo.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        toml.replace("FLAKEPROOF_PATH", &repo.to_string_lossy()),
    )
    .unwrap();
    std::fs::copy(repo.join("Cargo.lock"), tmp.join("Cargo.lock")).unwrap();
    let lib = tmp.join("src/lib.rs");
    let fixed = fix("src/lib.rs", &std::fs::read_to_string(&lib).unwrap()).unwrap();
    assert_eq!(fixed.rewritten.len(), 3);
    std::fs::write(&lib, &fixed.text).unwrap();
    let target = std::env::var_os("FLAKEPROOF_SCAN_FIX_TARGET")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("flakeproof-fix-cases-target"));
    let out = cargo()
        .args(["test", "--offline", "-q"])
        .current_dir(&tmp)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the fixed cases failed:\n{text}\n--- fixed source:\n{}",
        fixed.text
    );
    // The three fixed loops' tests and the scanner's suggestions (suggestions.rs).
    assert!(text.contains("6 passed"), "{text}");
    std::fs::remove_dir_all(&tmp).unwrap();
}
