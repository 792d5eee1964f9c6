// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trusty-common` 0.67.4
// (https://static.crates.io/crates/trusty-common/trusty-common-0.67.4.crate), file `src/exec_stub_tests.rs`.
// Licence: MIT (see ../licences/trusty-common-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
//! Tests for [`super::write_executable`] (#10248).

use super::*;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[test]
fn a_stub_runs_and_is_mode_0755() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stub = dir.path().join("stub");
    write_executable(&stub, "#!/bin/sh\necho stub-ran \"$1\"\n").expect("write stub");
    let mode = std::fs::metadata(&stub).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, STUB_MODE);
    let out = Command::new(&stub).arg("x").output().expect("exec stub");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "stub-ran x\n");
}
