//! Each rule on the code it must flag and on the fixed code it must not.
//! Line numbers count from the raw string's first line (line 1 is empty).

use super::{found, found_in};

#[test]
fn write_chmod_exec_is_write_then_exec() {
    let src = r##"
use std::os::unix::fs::PermissionsExt;
#[test]
fn runs_fake_git() {
    let git = dir.path().join("git");
    std::fs::write(&git, b"\x7fELF").unwrap();
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(&git).output().unwrap();
}
"##;
    assert_eq!(found(src), [("write-then-exec", 6)]);
}

#[test]
fn fs_err_is_read_as_std_fs() {
    let src = r##"
#[test]
fn runs_fake_git() {
    fs_err::write(&git, "#!/bin/sh\n").unwrap();
    fs_err::set_permissions(&git, Permissions::from_mode(0o755)).unwrap();
    Command::new(&git).output().unwrap();
}
"##;
    assert_eq!(
        found(src),
        [("write-then-exec", 4), ("shell-script-stub", 4)]
    );
}

#[test]
fn install_executable_stub_is_not_write_then_exec() {
    let src = r##"
#[test]
fn runs_fake_git() {
    let git = flakeproof::install_executable_stub(dir.path(), "git", "\x7fELF").unwrap();
    let out = std::process::Command::new(&git).output().unwrap();
}
"##;
    assert_eq!(found(src), []);
}

#[test]
fn open_options_mode_then_exec_through_a_let() {
    let src = r##"
fn build(dir: &Path) {
    let bin = dir.join("tool");
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .mode(0o755)
        .open(&bin)
        .unwrap();
    f.write_all(&bytes).unwrap();
    drop(f);
    assert!(Command::new(bin.clone()).status().unwrap().success());
}
"##;
    // Reported at the chain's first line, where the statement starts.
    assert_eq!(found_in("src/build.rs", src), [("write-then-exec", 4)]);
}

#[test]
fn a_mode_without_execute_bits_is_not_an_executable() {
    let src = r##"
fn build(dir: &Path) {
    let bin = dir.join("data");
    let f = OpenOptions::new().write(true).create(true).mode(0o644).open(&bin).unwrap();
    Command::new("cat").arg(&bin).status().unwrap();
}
"##;
    assert_eq!(found_in("src/build.rs", src), []);
}

#[test]
fn fsync_and_rename_in_between_are_named_wrong_fixes() {
    let src = r##"
fn install(dir: &Path) {
    let tmp = dir.join("stub.tmp");
    let stub = dir.join("stub");
    let mut f = File::create(&tmp).unwrap();
    f.write_all(b"#!/bin/sh\n").unwrap();
    f.sync_all().unwrap();
    f.set_permissions(Permissions::from_mode(0o755)).unwrap();
    drop(f);
    fs::rename(&tmp, &stub).unwrap();
    Command::new(&stub).status().unwrap();
}
"##;
    let f = super::findings("src/install.rs", src);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].rule.id(), f[0].line), ("write-then-exec", 5));
    let note = f[0].note.as_deref().unwrap();
    assert!(note.contains("fsync"), "{note}");
}

#[test]
fn chmod_by_command_and_exec_by_path_name() {
    let src = r##"
#[test]
fn fake_on_path() {
    let bin = tmp.path().join("git");
    fs::write(&bin, "#!/bin/sh\necho 'git version 2.0'\n").unwrap();
    Command::new("chmod").arg("+x").arg(&bin).status().unwrap();
    let out = Command::new("git").env("PATH", tmp.path()).output().unwrap();
}
"##;
    assert_eq!(
        found(src),
        [("write-then-exec", 5), ("shell-script-stub", 5)]
    );
}

#[test]
fn a_helper_that_writes_and_chmods_its_argument_is_followed() {
    let src = r##"
fn write_exe(path: &Path, body: &str) {
    fs::write(path, body).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn uses_it() {
    let p = dir.join("tool");
    write_exe(&p, "\x7fELF");
    Command::new(&p).status().unwrap();
}
"##;
    assert_eq!(found_in("src/lib.rs", src), [("write-then-exec", 3)]);
}

#[test]
fn a_script_written_in_a_test_is_a_shell_script_stub() {
    let src = r##"
#[cfg(test)]
mod tests {
    #[test]
    fn uses_fake_editor() {
        let editor = dir.join("editor");
        let script = "#!/usr/bin/env bash\necho edited\nexit 3\n";
        std::fs::write(&editor, script).unwrap();
        run_with_editor(&editor);
    }
}
"##;
    let f = super::findings("src/edit.rs", src);
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].rule.id(), f[0].line), ("shell-script-stub", 8));
    // The suggestion, as fix_cases/src/suggestions.rs builds and runs it.
    let built = include_str!("../fix_cases/src/suggestions.rs");
    let line =
        "fakes.fake(\"editor\").otherwise(Reply::exit(3).with_stdout(\"edited\\n\")).install()?;";
    assert!(f[0].fix.contains(line), "{}", f[0].fix);
    assert!(built.contains(line));
}

#[test]
fn a_script_with_no_simple_answer_suggests_a_rule_that_compiles() {
    let src = r##"
#[test]
fn gh() {
    let p = dir.join("gh");
    std::fs::write(&p, "#!/bin/sh\ncase $1 in pr) echo none;; esac\n").unwrap();
}
"##;
    let f = super::findings("tests/gh.rs", src);
    let line = "let fake = fakes.fake(\"gh\").install()?; fake.when(ArgMatch::exact([..])).reply(Reply::stdout(..))?;";
    assert!(f[0].fix.contains(line), "{}", f[0].fix);
    let built = include_str!("../fix_cases/src/suggestions.rs");
    assert!(built.contains(&format!("// {line}")));
}

#[test]
fn a_script_outside_tests_or_given_to_flakeproof_is_not_a_stub() {
    let prod = r##"
fn install_hook(dir: &Path) {
    std::fs::write(dir.join("pre-commit"), "#!/bin/sh\nexec lint\n").unwrap();
}
"##;
    assert_eq!(found_in("src/hooks.rs", prod), []);
    let safe = r##"
#[test]
fn stub() {
    let git = flakeproof::install_executable_stub(dir.path(), "git", "#!/bin/sh\necho hi\n").unwrap();
}
"##;
    assert_eq!(found(safe), []);
    let attr = r##"
#[test]
fn writes_a_crate() {
    std::fs::write(&lib, "#![allow(unused)]\nfn f() {}\n").unwrap();
}
"##;
    assert_eq!(found(attr), []);
    // Written into an archive being built, or to a shell's stdin: no file.
    let not_files = r##"
#[test]
fn archive() {
    let mut zip = zip::ZipWriter::new(File::create(&p).unwrap());
    zip.write_all(b"#!/bin/sh\n").unwrap();
    child.stdin.as_mut().unwrap().write_all(b"#!/bin/sh\necho hi\n").unwrap();
    let mut t = tar::Builder::new(Vec::new());
    t.write_all(b"#!/bin/sh\n").unwrap();
}
"##;
    assert_eq!(found(not_files), []);
    let temp_file = r##"
#[test]
fn stub() {
    let mut f = tempfile::Builder::new().suffix(".sh").tempfile_in(dir).unwrap();
    f.write_all(b"#!/bin/sh\necho hi\n").unwrap();
}
"##;
    assert_eq!(found(temp_file), [("shell-script-stub", 5)]);
}

#[test]
fn write_macro_and_write_all_carry_scripts() {
    let src = r##"
#[test]
fn stubs() {
    let mut f = File::create(&a).unwrap();
    writeln!(f, "#!/bin/sh").unwrap();
    let mut g = File::create(&b).unwrap();
    g.write_all(b"x").unwrap();
    g.write_all("#!/bin/bash\nexit 0\n".as_bytes()).unwrap();
}
"##;
    assert_eq!(
        found(src),
        [("shell-script-stub", 5), ("shell-script-stub", 8)]
    );
}

#[test]
fn etxtbsy_checks_are_found_in_each_spelling() {
    let src = r##"
fn run(cmd: &mut Command) -> io::Result<Output> {
    loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) => sleep(ms(10)),
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => sleep(ms(10)),
            Err(e) if e.kind() == ErrorKind::ExecutableFileBusy => sleep(ms(10)),
            Err(e) if e.to_string().contains("Text file busy") => sleep(ms(10)),
            other => return other,
        }
    }
}
fn busy(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(TEXT_FILE_BUSY))
}
fn retry(cmd: &mut Command) {
    while let Err(e) = cmd.status() {
        if !busy(&e) { break; }
    }
}
fn not_a_check(v: Option<i32>) -> bool {
    v == Some(26)
}
// ETXTBSY mapped to a message: nothing is retried, nothing to report.
fn message(e: &io::Error) -> &'static str {
    match e.raw_os_error() {
        Some(libc::ETXTBSY) => "the program is still open for writing",
        _ => "other",
    }
}
"##;
    let got = found_in("src/run.rs", src);
    let lines: Vec<usize> = got.iter().map(|(_, l)| *l).collect();
    assert!(
        got.iter().all(|(r, _)| *r == "hand-rolled-etxtbsy-retry"),
        "{got:?}"
    );
    assert_eq!(lines, [5, 6, 7, 8, 14]);
}

/// ETXTBSY named once and compared in the loop below (`let busy =
/// Errno::TXTBSY..`, `Some(busy)`), or by a constant named for its number
/// (`ETXTBSY_ERRNO`); not an ETXTBSY error only built and handed on.
#[test]
fn etxtbsy_bound_to_a_name_or_a_numbered_constant_is_found() {
    let src = r##"
const ETXTBSY_ERRNO: i32 = 26;
fn busy(e: &io::Error) -> bool {
    e.raw_os_error() == Some(ETXTBSY_ERRNO)
}
fn spawn(cmd: &mut Command) -> io::Result<Child> {
    loop {
        match cmd.spawn() {
            Err(e) if busy(&e) => sleep(ms(10)),
            r => return r,
        }
    }
}
fn retry_text_busy<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let busy = rustix::io::Errno::TXTBSY.raw_os_error();
    for _ in 0..50 {
        match f() {
            Err(e) if e.raw_os_error() == Some(busy) => sleep(ms(10)),
            other => return other,
        }
    }
    f()
}
fn pauses(retry: &mut Retry) {
    let busy = io::Error::from(io::ErrorKind::ExecutableFileBusy);
    for _ in 0..12 {
        retry.pause_after(&busy);
    }
}
"##;
    assert_eq!(
        found_in("src/run.rs", src),
        [
            ("hand-rolled-etxtbsy-retry", 4),
            ("hand-rolled-etxtbsy-retry", 15)
        ]
    );
}

#[test]
fn a_retry_that_never_fires_and_one_that_retries_no_spawn_are_noted() {
    let src = r##"
fn retry_install(p: &Path) {
    for _ in 0..5 {
        match fs::copy(src, p) {
            Err(e) if e.kind() == ErrorKind::Other && e.raw_os_error() == Some(26) => sleep(ms(5)),
            r => return r,
        }
    }
}
"##;
    let f = super::findings("src/a.rs", src);
    assert_eq!(f.len(), 1);
    let note = f[0].note.as_deref().unwrap();
    assert!(note.contains("never fires"), "{note}");
    assert!(note.contains("no spawn"), "{note}");
}

#[test]
fn the_retrying_spawn_is_not_flagged() {
    let src = r##"
use flakeproof::SpawnRetryExt;
fn run(cmd: &mut Command) -> io::Result<Output> {
    cmd.output_retrying()
}
"##;
    assert_eq!(found_in("src/run.rs", src), []);
}

#[test]
fn copies_onto_run_or_built_programs_are_in_place_replaces() {
    let src = r##"
fn deploy(build: &Path, served: &Path) {
    fs::copy(build, served).unwrap();
    Command::new(served).spawn().unwrap();
}
fn stage(name: &str) {
    let dst = format!("target/debug/{name}{}", std::env::consts::EXE_SUFFIX);
    std::fs::copy("out/app", &dst).unwrap();
    std::fs::copy("out/app", "target/release/notes.json").unwrap();
    std::fs::copy("a.txt", "b.txt").unwrap();
}
fn modify(dir: &Path) {
    let exe = dir.join(format!("tool-init{EXE_SUFFIX}"));
    fs::copy(dir.join("tmp"), &exe).unwrap();
    let mut f = OpenOptions::new()
        .append(true)
        .open(&exe)
        .unwrap();
    let log = OpenOptions::new().append(true).open(dir.join("log.txt")).unwrap();
}
"##;
    assert_eq!(
        found_in("src/deploy.rs", src),
        [
            ("in-place-replace", 3),
            ("in-place-replace", 8),
            ("in-place-replace", 14),
            ("in-place-replace", 15)
        ]
    );
}

#[test]
fn replace_executable_is_not_an_in_place_replace() {
    let src = r##"
fn deploy(build: &Path, served: &Path) {
    flakeproof::replace_executable(build, served).unwrap();
    Command::new(served).spawn().unwrap();
}
"##;
    assert_eq!(found_in("src/deploy.rs", src), []);
}

#[test]
fn windows_renames_without_retry_are_flagged_where_built_for_windows() {
    let src = r##"
#[cfg(windows)]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    fs::rename(a, b)?;
    std::fs::remove_dir_all(a)
}
#[cfg(unix)]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    fs::rename(a, b)
}
fn cleanup(a: &Path) {
    let _ = fs::remove_file(a);
    fs::remove_file(a).ok();
    if cfg!(windows) {
        fs::remove_file(a).unwrap();
    }
}
"##;
    assert_eq!(
        found_in("src/swap.rs", src),
        [
            ("unretried-windows-fs", 4),
            ("unretried-windows-fs", 5),
            ("unretried-windows-fs", 15)
        ]
    );
}

#[test]
fn retried_or_unix_only_renames_are_not_flagged() {
    let src = r##"
#[cfg(windows)]
fn swap(a: &Path, b: &Path) -> io::Result<()> {
    flakeproof::robust::rename(a, b)?;
    for i in 0..10 {
        match fs::rename(a, b) {
            Err(_) => std::thread::sleep(Duration::from_millis(10 << i)),
            ok => return ok,
        }
    }
    retry(backoff, || fs::remove_file(a))
}
"##;
    assert_eq!(found_in("src/swap.rs", src), []);
}

#[test]
fn a_file_that_never_mentions_windows_is_flagged_only_when_asked() {
    let src = "fn f(tmp_path: &Path, exe: &Path) { fs::rename(tmp_path, exe).unwrap(); }";
    assert_eq!(found_in("src/f.rs", src), []);
    let opts = flakeproof_scan::Options {
        windows_everywhere: true,
        ..Default::default()
    };
    let r = flakeproof_scan::scan("src/f.rs", src, &opts).unwrap();
    assert_eq!(r.findings.len(), 1);
}

/// In code every OS builds, only a file another process may hold counts: an
/// extracted tool or a staged file moved into place, a program, a build's
/// output, a path a command was given (here or at the file's call of a
/// helper), a file moved aside for another to take its place, what an
/// install, uninstall or update function moves or removes; not the
/// crate's own lock file, a folder of sources, its own config written to a
/// temp name and renamed, or a log rotation. Code only Windows builds
/// counts whatever the path.
#[test]
fn code_built_for_every_os_is_flagged_on_files_another_process_made() {
    let src = r##"
fn lock_drop(lock_path: &Path) { fs::remove_file(lock_path).unwrap(); }
fn purge(sources: &Path) { fs::remove_dir_all(sources).unwrap(); }
fn place(tmp_path: &Path, exe: &Path) { fs::rename(tmp_path, exe).unwrap(); }
fn clean(out: &Path) -> io::Result<()> {
    Command::new("wix").arg("-o").arg(out).status()?;
    fs::remove_dir_all(out)
}
fn fs_rename(source: &Path, dest: &Path) { fs::rename(source, dest).unwrap(); }
fn to_dest(new_exe: &Path, dest: &Path) { fs_rename(new_exe, dest); }
#[cfg(windows)]
fn win(lock_path: &Path) { fs::remove_file(lock_path).unwrap(); }
fn save(tmp: &Path, config: &Path) { fs::rename(tmp, config).unwrap(); }
fn swap_in(src: &Path, dest: &Path, temp: &Path) {
    fs::rename(dest, temp).unwrap();
    fs::rename(src, dest).unwrap();
}
fn rotate(log: &Path, old_log: &Path, older_log: &Path) {
    fs::rename(old_log, older_log).unwrap();
    fs::rename(log, old_log).unwrap();
}
fn uninstall(product_dir: &Path) { fs::remove_dir_all(product_dir).unwrap(); }
"##;
    let opts = flakeproof_scan::Options {
        windows_everywhere: true,
        ..Default::default()
    };
    let lines: Vec<usize> = flakeproof_scan::scan("src/f.rs", src, &opts)
        .unwrap()
        .findings
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [4, 7, 9, 12, 15, 16, 22]);
}

/// A failure dropped on purpose is no unretried call: `_ = call`,
/// `drop(call)`, `if call.is_ok()`. One passed on is (`if call.is_err() {
/// bail!(..) }`), and so is a call to flakeproof's own fs, a mirror of
/// std that never retries; a `drop` of something else drops nothing after it.
#[test]
fn dropped_results_are_not_flagged_and_nothing_else_is_dropped() {
    let src = r##"
#[cfg(windows)]
fn f(tmp_exe: &Path, exe: &Path) {
    _ = fs::remove_file(tmp_exe);
    drop(fs::remove_file(tmp_exe));
    if fs::rename(tmp_exe, exe).is_ok() { return; }
    if fs::rename(tmp_exe, exe).is_err() { bail!("no") }
    flakeproof::fs::remove_file(exe).unwrap();
    drop(format!("x")); fs::remove_file(exe).unwrap();
}
"##;
    assert_eq!(
        found_in("src/f.rs", src),
        [
            ("unretried-windows-fs", 7),
            ("unretried-windows-fs", 8),
            ("unretried-windows-fs", 9)
        ]
    );
}

#[test]
fn allow_comments_silence_with_a_reason_only() {
    let src = r##"
#[cfg(windows)]
fn f(a: &Path, b: &Path) {
    fs::rename(a, b).unwrap(); // flakeproof: allow(unretried-windows-fs) the test wants the raw error
    // flakeproof: allow(unretried-windows-fs, in-place-replace) both on purpose here
    fs::rename(b, a).unwrap();
    fs::remove_file(a).unwrap(); // flakeproof: allow(unretried-windows-fs)
    fs::remove_file(b).unwrap(); // flakeproof: allow(write-then-exec) wrong rule
    // flakeproof: allow(in-place-replace) a chain: the comment goes above its first line
    let f = OpenOptions::new()
        .write(true)
        .open("app.exe")
        .unwrap();
    log(a, "// flakeproof: allow(unretried-windows-fs) in a string"); fs::remove_file(a).unwrap();
    log(a, r#"x"// flakeproof: allow(unretried-windows-fs) raw"#); fs::remove_file(a).unwrap();
    log('"', "\"//"); fs::remove_file(a).unwrap(); // flakeproof: allow(unretried-windows-fs) after a quote character
}
"##;
    let r = flakeproof_scan::scan("src/f.rs", src, &Default::default()).unwrap();
    let lines: Vec<usize> = r.findings.iter().map(|f| f.line).collect();
    assert_eq!(
        lines,
        [7, 8, 14, 15],
        "a marker inside a string silences nothing"
    );
    assert_eq!(
        r.silenced, 4,
        "one after strings and a quote character does"
    );
    assert!(r.findings[0].note.as_deref().unwrap().contains("no reason"));
}

#[test]
fn every_finding_has_a_snippet_risk_and_a_fix_naming_the_api() {
    let src = r##"
fn f(cmd: &mut Command) {
    loop { if let Err(e) = cmd.status() { if e.raw_os_error() == Some(26) {} } }
}
"##;
    let f = &super::findings("src/f.rs", src)[0];
    assert_eq!(f.column, 71);
    assert!(f.snippet.contains("Some(26)"));
    assert!(f.fix.contains("status_retrying"), "{}", f.fix);
    assert!(f.risk.ends_with("first"), "{}", f.risk);
}

#[test]
fn a_parse_error_names_the_line() {
    let e = flakeproof_scan::scan("src/bad.rs", "fn f( {\n", &Default::default()).unwrap_err();
    assert_eq!(e.file, "src/bad.rs");
    assert!(e.line >= 1);
}
