//! `tokio::fs` with the same names and signatures, consulting the active
//! fault plan first (feature `tokio`): adopting it in async code under test
//! is a change of `use`, as [`flakeproof::fs`](crate::fs) is for std's.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! use flakeproof::fs::tokio as fs; // was: use tokio::fs;
//! let dir = tempfile::tempdir()?;
//! fs::write(dir.path().join("f"), "hello").await?;
//! assert_eq!(fs::read_to_string(dir.path().join("f")).await?, "hello");
//! # Ok::<(), std::io::Error>(()) })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The plan in force is the polling thread's: on a multi-thread runtime,
//! run the task inside its plan with
//! [`FaultScope::scoped`](crate::fault::FaultScope::scoped). Never
//! retried, as the std mirror. [`File`] and [`OpenOptions`] mirror tokio's
//! (reads, seeks and flushes consult no plan); the functions tokio has and
//! these don't (`read_dir`, `symlink_metadata`, `canonicalize`,
//! `hard_link`, `read_link`, `try_exists`) consult none: use `tokio::fs`.

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::Path;

#[allow(unused_imports)] // named by the docs' links
use crate::classify::Op;
use crate::sys::mirror_async;

mod file;
pub use file::{File, OpenOptions};

/// [`tokio::fs::copy`]; consults the plan as [`Op::Copy`] on `to`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(fs::copy(d.path().join("a"), d.path().join("b")).await?, 1);
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    mirror_async::copy(from.as_ref(), to.as_ref()).await
}

/// [`tokio::fs::create_dir`]; [`Op::CreateDir`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// fs::create_dir(d.path().join("sub")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    mirror_async::create_dir(path.as_ref()).await
}

/// [`tokio::fs::create_dir_all`]; [`Op::CreateDir`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// fs::create_dir_all(d.path().join("a/b/c")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    mirror_async::create_dir_all(path.as_ref()).await
}

/// [`tokio::fs::metadata`]; [`Op::Metadata`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// assert!(fs::metadata(d.path()).await?.is_dir());
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    mirror_async::metadata(path.as_ref()).await
}

/// [`tokio::fs::read`]; [`Op::Open`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("f"), "x")?;
/// assert_eq!(fs::read(d.path().join("f")).await?, b"x");
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    mirror_async::read(path.as_ref()).await
}

/// [`tokio::fs::read_to_string`]; [`Op::Open`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("f"), "x")?;
/// assert_eq!(fs::read_to_string(d.path().join("f")).await?, "x");
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    mirror_async::read_to_string(path.as_ref()).await
}

/// [`tokio::fs::remove_dir`]; [`Op::RemoveDir`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::create_dir(d.path().join("e"))?;
/// fs::remove_dir(d.path().join("e")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    mirror_async::remove_dir(path.as_ref()).await
}

/// [`tokio::fs::remove_dir_all`]; [`Op::RemoveDir`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::create_dir_all(d.path().join("e/f"))?;
/// fs::remove_dir_all(d.path().join("e")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    mirror_async::remove_dir_all(path.as_ref()).await
}

/// [`tokio::fs::remove_file`]; [`Op::RemoveFile`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("f"), "x")?;
/// fs::remove_file(d.path().join("f")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    mirror_async::remove_file(path.as_ref()).await
}

/// [`tokio::fs::rename`]; [`Op::Rename`] on `to`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("a"), "x")?;
/// fs::rename(d.path().join("a"), d.path().join("b")).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    mirror_async::rename(from.as_ref(), to.as_ref()).await
}

/// [`tokio::fs::set_permissions`]; [`Op::SetPermissions`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// let perm = std::fs::metadata(d.path())?.permissions();
/// fs::set_permissions(d.path(), perm).await?;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    mirror_async::set_permissions(path.as_ref(), perm).await
}

/// [`tokio::fs::write`]; consults the plan as [`Op::OpenWrite`], then [`Op::Write`], as `std::fs::write` opens then writes.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::fs::tokio as fs;
/// # let d = tempfile::tempdir()?;
/// fs::write(d.path().join("f"), "hello").await?;
/// assert_eq!(std::fs::read(d.path().join("f"))?, b"hello");
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    mirror_async::write(path.as_ref(), contents.as_ref()).await
}
