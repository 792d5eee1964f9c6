//! `std::fs` functions, same names and signatures, that consult the active
//! fault plan first: adopting them in code under test is a change of `use`.
//!
//! ```
//! use flakeproof::fs; // was: use std::fs;
//! let dir = tempfile::tempdir()?;
//! let p = dir.path().join("f");
//! fs::write(&p, "hello")?;
//! assert_eq!(fs::read_to_string(&p)?, "hello");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! With no plan active each costs its std call plus one atomic load. Errors
//! are std's (or the injected ones), untouched.

use std::fs::Permissions;
use std::io;
use std::path::Path;

use crate::sys;

/// [`std::fs::copy`]; consults the plan as [`Op::Copy`](crate::Op::Copy) on `to`.
///
/// ```
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::fs::copy(d.path().join("a"), d.path().join("b"))?, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn copy<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<u64> {
    sys::copy(from.as_ref(), to.as_ref())
}

/// [`std::fs::create_dir`]; [`Op::CreateDir`](crate::Op::CreateDir).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// flakeproof::fs::create_dir(d.path().join("sub"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn create_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    sys::create_dir(path.as_ref())
}

/// [`std::fs::create_dir_all`]; [`Op::CreateDir`](crate::Op::CreateDir).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// flakeproof::fs::create_dir_all(d.path().join("a/b/c"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn create_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    sys::create_dir_all(path.as_ref())
}

/// [`std::fs::read`]; [`Op::Open`](crate::Op::Open).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::fs::read(d.path().join("a"))?, b"x");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read<P: AsRef<Path>>(path: P) -> io::Result<Vec<u8>> {
    sys::read(path.as_ref())
}

/// [`std::fs::read_to_string`]; [`Op::Open`](crate::Op::Open).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::fs::read_to_string(d.path().join("a"))?, "x");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_to_string<P: AsRef<Path>>(path: P) -> io::Result<String> {
    sys::read_to_string(path.as_ref())
}

/// [`std::fs::remove_dir`]; [`Op::RemoveDir`](crate::Op::RemoveDir).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir(d.path().join("e"))?;
/// flakeproof::fs::remove_dir(d.path().join("e"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    sys::remove_dir(path.as_ref())
}

/// [`std::fs::remove_dir_all`]; [`Op::RemoveDir`](crate::Op::RemoveDir), once.
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir_all(d.path().join("a/b"))?;
/// flakeproof::fs::remove_dir_all(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    sys::remove_dir_all(path.as_ref())
}

/// [`std::fs::remove_file`]; [`Op::RemoveFile`](crate::Op::RemoveFile).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::fs::remove_file(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_file<P: AsRef<Path>>(path: P) -> io::Result<()> {
    sys::remove_file(path.as_ref())
}

/// [`std::fs::rename`]; [`Op::Rename`](crate::Op::Rename) on `to`.
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::fs::rename(d.path().join("a"), d.path().join("b"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn rename<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<()> {
    sys::rename(from.as_ref(), to.as_ref())
}

/// [`std::fs::set_permissions`]; [`Op::SetPermissions`](crate::Op::SetPermissions).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # let p = d.path().join("a");
/// # std::fs::write(&p, "x")?;
/// let perm = std::fs::metadata(&p)?.permissions();
/// flakeproof::fs::set_permissions(&p, perm)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn set_permissions<P: AsRef<Path>>(path: P, perm: Permissions) -> io::Result<()> {
    sys::set_permissions(path.as_ref(), perm)
}

/// [`std::fs::write`]; [`Op::OpenWrite`](crate::Op::OpenWrite), then
/// [`Op::Write`](crate::Op::Write).
///
/// ```
/// # let d = tempfile::tempdir()?;
/// flakeproof::fs::write(d.path().join("a"), b"bytes")?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write<P: AsRef<Path>, C: AsRef<[u8]>>(path: P, contents: C) -> io::Result<()> {
    sys::write(path.as_ref(), contents.as_ref())
}
