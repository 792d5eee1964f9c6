//! The shim program every fake is: the copy `build.rs` embedded, its cached
//! copy next to the test executable, placing it at a fake's name (a hard
//! link, else an exec-safe copy), and the self-test that proves a place can
//! run it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::error::FakeError;
use super::wire;
use crate::fault::exempt;
use crate::install::StubInstaller;
use crate::sys::fakes as sysf;

/// The shim `build.rs` compiled for this target, or nothing (then
/// `SHIM_WHY` says why).
pub(super) static SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shim.bin"));
/// Why `SHIM` is empty, when it is.
pub(super) const SHIM_WHY: &str = include_str!(concat!(env!("OUT_DIR"), "/shim.why"));
/// Names the cached copy, so copies of different builds never mix.
const SHIM_HASH: &str = env!("FLAKEPROOF_SHIM_HASH");
/// What a program's file name ends with on this OS.
pub(super) const EXE: &str = std::env::consts::EXE_SUFFIX;
/// The prefix of the self-test's name: no fake may take it.
pub(super) const SELF_TEST: &str = "flakeproof-self-test";

/// Where a directory's fakes get the shim from, decided by its first
/// placement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// Hard-link this file (the copy next to the test executable, or the
    /// directory's own).
    Link(PathBuf),
    /// Nothing can be linked here: install a copy for each fake.
    Copy,
}

/// The process's copy of the shim next to the running executable, made
/// once per content hash; `None` when that directory can't take it.
fn cached_shim() -> Option<&'static Path> {
    static CACHED: OnceLock<Option<PathBuf>> = OnceLock::new();
    CACHED
        .get_or_init(|| {
            // Where a running program's names can't be removed (Windows), one
            // file shared by the fakes of every test would keep other tests'
            // directories from being removed: each gets its own copy.
            if !crate::sys::RUNNING_PROGRAMS_UNLINK {
                return None;
            }
            cache_in(&sysf::exe_dir().ok()?)
        })
        .as_deref()
}

/// The shim's cached copy in `dir`: the one there if it holds this build's
/// shim and no one else can change it, else a new one installed over
/// whatever had the name. `None` when even a new one can't be trusted (a
/// directory others can write to): fakes then link their directory's own.
fn cache_in(dir: &Path) -> Option<PathBuf> {
    let name = format!("flakeproof-shim-{SHIM_HASH}{EXE}");
    let path = dir.join(&name);
    if sysf::holds(&path, SHIM) {
        return Some(path);
    }
    let installer = StubInstaller::new().durable(false);
    let installed = exempt(|| installer.install(dir, &name, SHIM)).ok()?;
    // Only a copy no one else can swap out is shared by links.
    sysf::holds(&installed, SHIM).then_some(installed)
}

/// Puts the shim at `bin/NAME` of the fake directory `root`: a hard link
/// where it can (no writable descriptor on the new name, so nothing for a
/// fork to leak), else an exec-safe copy. The first placement decides
/// `source` for the next ones: the process's cached copy, else the
/// directory's own copy in `root` (on `bin/`'s filesystem), else copies.
pub(super) fn place(
    root: &Path,
    bin: &Path,
    source: &mut Option<Source>,
    name: &str,
) -> Result<PathBuf, FakeError> {
    let dest = bin.join(format!("{name}{EXE}"));
    let mut tries: Vec<Source> = match source {
        Some(Source::Link(p)) => vec![Source::Link(p.clone())],
        Some(Source::Copy) => vec![],
        None => {
            let mut t: Vec<Source> = cached_shim()
                .map(|p| Source::Link(p.to_owned()))
                .into_iter()
                .collect();
            t.push(Source::Link(root.join(format!("shim{EXE}"))));
            t
        }
    };
    tries.push(Source::Copy);
    let mut last = None;
    for way in tries {
        let result = match &way {
            Source::Link(from) => {
                if !sysf::holds(from, SHIM) && from.starts_with(root) {
                    let installer = StubInstaller::new().durable(false);
                    let file = from
                        .file_name()
                        .expect("a file")
                        .to_string_lossy()
                        .into_owned();
                    if let Err(e) = installer.install(root, &file, SHIM) {
                        last = Some(FakeError::new("copying the shim", e.into()));
                        continue;
                    }
                }
                sysf::link(from, &dest).map_err(|e| {
                    FakeError::new(
                        format!("linking {} to {}", dest.display(), from.display()),
                        e,
                    )
                })
            }
            Source::Copy => StubInstaller::new()
                .durable(false)
                .install(bin, &format!("{name}{EXE}"), SHIM)
                .map(drop)
                .map_err(|e| {
                    FakeError::new(format!("copying the shim to {}", dest.display()), e.into())
                }),
        };
        match result {
            Ok(()) => {
                *source = Some(way);
                sysf::exempt_program(&dest);
                return Ok(dest);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one way was tried"))
}

/// Places the shim once in `bin/` and runs it: it must print back what it
/// is given. A place where fakes could not run (a `noexec` mount) is an
/// error here, never a test that quietly runs the real programs. Decides
/// `source` as [`place`] does.
pub(super) fn self_test(
    root: &Path,
    bin: &Path,
    source: &mut Option<Source>,
) -> Result<(), FakeError> {
    let name = format!("{SELF_TEST}-{:08x}", crate::sys::random_u64() as u32);
    let path = place(root, bin, source, &name)?;
    let nonce = format!("{:016x}", crate::sys::random_u64());
    let result = sysf::run_with_env(&path, wire::SELF_TEST_ENV, &nonce);
    // With retries: Windows refuses to delete a program's file for a
    // moment after it exits (seen under Wine as ERROR_ACCESS_DENIED).
    crate::robust::remove_file(&path)
        .map_err(|e| FakeError::new(format!("removing {}", path.display()), e))?;
    let bin = bin.display();
    match result {
        Err(e) => Err(FakeError::new(
            format!(
                "fake commands can't run in {bin} (a noexec mount? pick another place with FakeDir::new_in)"
            ),
            e,
        )),
        Ok(out) if out.status.success() && out.stdout == nonce.as_bytes() => Ok(()),
        Ok(out) => Err(FakeError::new(
            format!(
                "the fake-command shim in {bin} did not answer its self-test ({}; stdout {:?}, stderr {:?})",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            io::Error::other("self-test failed"),
        )),
    }
}

// The cache and the links are Unix behaviour (Windows copies per
// directory); the tests read inodes and modes.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn cached_name() -> String {
        format!("flakeproof-shim-{SHIM_HASH}")
    }

    #[test]
    fn the_cache_is_made_once_and_then_reused_as_it_is() {
        assert!(!SHIM.is_empty(), "built without its shim: {SHIM_WHY}");
        let dir = tempfile::tempdir().unwrap();
        let first = cache_in(dir.path()).expect("a private dir takes the cache");
        assert_eq!(first, dir.path().join(cached_name()));
        assert_eq!(std::fs::read(&first).unwrap(), SHIM);
        let ino = std::fs::metadata(&first).unwrap().ino();
        let again = cache_in(dir.path()).unwrap();
        assert_eq!(again, first);
        assert_eq!(
            std::fs::metadata(&again).unwrap().ino(),
            ino,
            "a good cached copy is not written again"
        );
    }

    #[test]
    fn a_cached_copy_that_is_not_this_builds_shim_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(cached_name());
        // flakeproof: allow(shell-script-stub) a stale cached shim to be replaced, never run
        std::fs::write(&path, b"#!/bin/sh\necho not the shim\n").unwrap();
        assert_eq!(cache_in(dir.path()), Some(path.clone()));
        assert_eq!(std::fs::read(&path).unwrap(), SHIM);
    }

    #[test]
    fn a_cache_in_a_directory_others_can_write_is_not_used() {
        // Another user could swap the file between our check and a link.
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(cache_in(dir.path()), None);
        // With the sticky bit (as /tmp), others can't rename our file away.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(cache_in(dir.path()).is_some());
    }

    #[test]
    fn a_link_source_that_is_gone_falls_back_to_copies_and_remembers() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        // A cached copy removed since the directory's first placement
        // (`cargo clean` while tests run).
        let elsewhere = tempfile::tempdir().unwrap();
        let mut source = Some(Source::Link(elsewhere.path().join("gone")));
        let git = place(root.path(), &bin, &mut source, "git").unwrap();
        assert_eq!(git, bin.join("git"));
        assert_eq!(std::fs::read(&git).unwrap(), SHIM);
        assert_eq!(source, Some(Source::Copy));
        let cc = place(root.path(), &bin, &mut source, "cc").unwrap();
        assert_eq!(
            std::fs::metadata(&cc).unwrap().nlink(),
            1,
            "a copy, not a link"
        );
    }

    #[test]
    fn the_first_placement_links_and_the_next_fakes_share_its_inode() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let mut source = None;
        let git = place(root.path(), &bin, &mut source, "git").unwrap();
        assert!(matches!(source, Some(Source::Link(_))), "{source:?}");
        let cc = place(root.path(), &bin, &mut source, "cc").unwrap();
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        assert_eq!(ino(&git), ino(&cc));
        assert_eq!(std::fs::read(&cc).unwrap(), SHIM);
    }
}
