// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `podup` 5.4.0
// (https://static.crates.io/crates/podup/podup-5.4.0.crate), file `internal/update/install/tests.rs`.
// Licence: MIT (see ../licences/podup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use super::*;

/// The classification that silently did not work.
///
/// A real executable held open for writing cannot be run — the kernel
/// returns ETXTBSY — so this produces the genuine errno rather than a
/// hand-built error, and asserts the predicate the retry depends on. The
/// previous version of this check ran on an error already formatted into a
/// `String`, where the errno no longer exists: it returned false every time,
/// the retry never fired, and the flake it was written to prevent stayed.
///
/// Linux only, deliberately. Whether a given kernel refuses to exec a file
/// held open for writing — and for a script, whether the check lands on the
/// script or on its interpreter — is that kernel's business, verified on
/// Linux. Asserting it elsewhere tests the platform rather than the
/// classifier, and writing the test so it passes vacuously where ETXTBSY
/// never fires would repeat the mistake this whole change is about. The
/// retry itself stays on every Unix: it is a no-op where the errno does not
/// occur.
#[cfg(target_os = "linux")]
#[test]
fn a_binary_open_for_writing_is_classified_as_text_file_busy() {
	let dir = tempfile::tempdir().unwrap();
	let target = dir.path().join("held");
	std::fs::copy("/bin/sh", &target).expect("/bin/sh is copyable");
	{
		use std::os::unix::fs::PermissionsExt;
		std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
	}
	// Held across the spawn on purpose; dropping it closes the window.
	let _writer = std::fs::OpenOptions::new()
		.write(true)
		.open(&target)
		.unwrap();
	let err = std::process::Command::new(&target)
		.arg("-c")
		.arg("exit 0")
		.spawn()
		.expect_err("a binary open for writing must not be executable");
	assert!(
		is_text_file_busy(&err),
		"ETXTBSY must be recognised from the io::Error itself, got {err:?}"
	);
}
