//! The cases the corpus's tune half taught the rules (docs/scan.md,
//! "Measured"): each shape flagged, and its near miss not.

use super::found_in;

#[test]
fn an_etxtbsy_predicate_counts_when_a_loop_calls_it_and_a_mere_mapping_does_not() {
    let src = r##"
fn is_busy(err: &Error) -> bool {
    matches!(err, Error::Io(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy)
}
fn text(e: &RunnerError) -> bool {
    e.message.ends_with("(os error 26)")
}
fn install() {
    for _ in 0..5 {
        match find() {
            Err(e) if is_busy(&e) || text(&e) => sleep(d),
            _ => break,
        }
    }
}
const ETXTBSY_MAX_ATTEMPTS: u32 = 5;
fn step(e: &io::Error, n: u32) -> bool {
    loop { if n < ETXTBSY_MAX_ATTEMPTS { break } }
    false
}
fn exit_code(e: &io::Error) -> i32 {
    match e.raw_os_error() { Some(libc::ETXTBSY) => 126, _ => 1 }
}
"##;
    assert_eq!(
        found_in("src/install.rs", src),
        [
            ("hand-rolled-etxtbsy-retry", 3),
            ("hand-rolled-etxtbsy-retry", 6)
        ]
    );
}

#[test]
fn scripts_in_byte_strings_constants_and_fake_helpers_are_stubs() {
    let src = r##"
const TEMPLATE: &str = "#!/bin/sh\necho OUT\n";
#[test]
fn bytes() {
    let mut f = File::create(&p).unwrap();
    f.write_all(b"#!/usr/bin/env bash\necho hi\n").unwrap();
}
#[test]
fn from_a_constant() {
    let body = TEMPLATE.replace("OUT", "x");
    fs::write(&p, body).unwrap();
}
pub fn fake_gh(dir: &Path) -> PathBuf {
    let p = dir.join("gh");
    fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
    p
}
fn write_runner(dir: &Path) {
    fs::write(dir.join("run.sh"), "#!/bin/sh\nexit 0\n").unwrap();
}
#[test]
fn through_another_crates_helper() {
    write_executable(&p, "#!/bin/sh\nexit 0\n").unwrap();
}
"##;
    assert_eq!(
        found_in("src/lib.rs", src),
        [
            ("shell-script-stub", 6),
            ("shell-script-stub", 11),
            ("shell-script-stub", 15)
        ]
    );
}

#[test]
fn a_new_file_is_not_replaced_in_place_and_a_named_executable_is() {
    let src = r##"
fn update(new: &[u8], main_exe: &Path, module: &Path, src: &Path) -> io::Result<()> {
    let tmp = tempfile::tempdir()?;
    let staged = tmp.path().join("next");
    fs::write(&staged, new)?;
    let _ = fs::remove_file(module);
    fs::copy(src, module)?;
    fs::copy(src, main_exe)?;
    Ok(())
}
"##;
    assert_eq!(found_in("src/update.rs", src), [("in-place-replace", 8)]);
}

#[test]
fn execute_bits_by_constant_and_cfg_on_a_statement_count() {
    let src = r##"
#[test]
fn tmpfs_allows_exec() {
    let p = dir.join("script");
    fs::OpenOptions::new()
        .create(true)
        .write(true)
        .mode((Mode::S_IRWXU | Mode::S_IRWXG).bits())
        .open(&p)
        .unwrap();
    Command::new(&p).status().unwrap();
}
fn build(lib: &Path) {
    #[cfg(windows)]
    if lib.exists() {
        std::fs::remove_file(lib).unwrap();
    }
}
"##;
    assert_eq!(
        found_in("src/lib.rs", src),
        [("write-then-exec", 9), ("unretried-windows-fs", 16)]
    );
}
