// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `gix-testtools` 0.22.0
// (https://static.crates.io/crates/gix-testtools/gix-testtools-0.22.0.crate), file `src/tests.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/gix-testtools-LICENSE-MIT, ../licences/gix-testtools-LICENSE-APACHE).
// excerpt: unrelated items removed; every kept line is verbatim.
use super::*;

#[test]
#[serial_test::serial]
fn version_incompatible_writable_fixtures_use_required_archives_in_both_creation_modes() -> TestResult {
    let _environment = isolate_git_environment()?;
    let temp = tempfile::TempDir::new()?;
    let fixture_base = temp.path().join("tests/fixtures");
    let archive_dir = fixture_base.join(ARCHIVE_DIR_NAME);
    std::fs::create_dir_all(&archive_dir)?;
    let script = b"#!/bin/sh\nprintf from-script >payload\n";
    std::fs::write(fixture_base.join("make_required.sh"), script)?;

    let source = temp.path().join("archive-source");
    std::fs::create_dir(&source)?;
    std::fs::write(source.join("payload"), "from archive")?;
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_CKSUM);
    let mut digest = crc.digest();
    digest.update(script);
    let object_hash = object_hash();
    let hash_suffix = if is_sha1(object_hash) {
        String::new()
    } else {
        format!("_{object_hash}")
    };
    write_test_archive(
        &source,
        &archive_dir.join(format!("make_required{hash_suffix}.{}", tar_extension())),
        digest.finalize(),
    );

    let _cwd = set_current_dir(temp.path())?;
    let _environment = _environment.set("GIX_TEST_IGNORE_ARCHIVES", "1");

    for mode in [Creation::CopyFromReadOnly, Creation::Execute] {
        let fixture =
            scripted_fixture_writable_with_args_with_git_version("make_required.sh", None::<String>, mode, |_| false)?
                .expect("matching required archive is available");
        assert_eq!(
            std::fs::read_to_string(fixture.path().join("payload"))?,
            "from archive",
            "the fixture comes from the archive instead of the incompatible script"
        );
    }
    Ok(())
}
