//! `tokio::fs` calls for the async mirror ([`crate::fs::tokio`], feature
//! `tokio`), each behind the fault gate under its operation, as
//! [`mirror`](super::mirror) does for std's. The gate's token is dropped
//! before the await: the call itself runs on tokio's blocking pool, not on
//! the polling thread, and a token held across an await could be dropped
//! on another worker than the one that took it.

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::fs::{File, OpenOptions};
use ::tokio::io::AsyncWrite;

use crate::classify::Op;
use crate::fault::gate;

pub(crate) async fn copy(from: &Path, to: &Path) -> io::Result<u64> {
    gate(Op::Copy, to).map(drop)?;
    ::tokio::fs::copy(from, to).await
}

pub(crate) async fn create_dir(path: &Path) -> io::Result<()> {
    gate(Op::CreateDir, path).map(drop)?;
    ::tokio::fs::create_dir(path).await
}

pub(crate) async fn create_dir_all(path: &Path) -> io::Result<()> {
    gate(Op::CreateDir, path).map(drop)?;
    ::tokio::fs::create_dir_all(path).await
}

pub(crate) async fn metadata(path: &Path) -> io::Result<Metadata> {
    gate(Op::Metadata, path).map(drop)?;
    ::tokio::fs::metadata(path).await
}

pub(crate) async fn read(path: &Path) -> io::Result<Vec<u8>> {
    gate(Op::Open, path).map(drop)?;
    ::tokio::fs::read(path).await
}

pub(crate) async fn read_to_string(path: &Path) -> io::Result<String> {
    gate(Op::Open, path).map(drop)?;
    ::tokio::fs::read_to_string(path).await
}

pub(crate) async fn remove_dir(path: &Path) -> io::Result<()> {
    gate(Op::RemoveDir, path).map(drop)?;
    ::tokio::fs::remove_dir(path).await
}

pub(crate) async fn remove_dir_all(path: &Path) -> io::Result<()> {
    gate(Op::RemoveDir, path).map(drop)?;
    ::tokio::fs::remove_dir_all(path).await
}

pub(crate) async fn remove_file(path: &Path) -> io::Result<()> {
    gate(Op::RemoveFile, path).map(drop)?;
    ::tokio::fs::remove_file(path).await
}

pub(crate) async fn rename(from: &Path, to: &Path) -> io::Result<()> {
    gate(Op::Rename, to).map(drop)?;
    ::tokio::fs::rename(from, to).await
}

pub(crate) async fn set_permissions(path: &Path, perm: Permissions) -> io::Result<()> {
    gate(Op::SetPermissions, path).map(drop)?;
    ::tokio::fs::set_permissions(path, perm).await
}

pub(crate) async fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    gate(Op::OpenWrite, path).map(drop)?;
    gate(Op::Write, path).map(drop)?;
    ::tokio::fs::write(path, contents).await
}

// ---- File and OpenOptions ----

pub(crate) async fn open(options: &OpenOptions, path: &Path, op: Op) -> io::Result<File> {
    gate(op, path).map(drop)?;
    options.open(path).await
}

/// One poll of a write: the plan is consulted on its first poll only
/// (`counted` remembers it until the write is ready), so a write tokio
/// answers `Pending` (a previous write still in flight on the blocking pool)
/// counts once.
pub(crate) fn file_poll_write(
    file: Pin<&mut File>,
    cx: &mut Context<'_>,
    buf: &[u8],
    path: &Path,
    counted: &mut bool,
) -> Poll<io::Result<usize>> {
    if !*counted {
        if let Err(e) = gate(Op::Write, path) {
            return Poll::Ready(Err(e));
        }
        *counted = true;
    }
    let polled = file.poll_write(cx, buf);
    if polled.is_ready() {
        *counted = false;
    }
    polled
}

pub(crate) async fn file_set_len(file: &File, size: u64, path: &Path) -> io::Result<()> {
    gate(Op::Write, path).map(drop)?;
    file.set_len(size).await
}

pub(crate) async fn file_sync_all(file: &File, path: &Path) -> io::Result<()> {
    gate(Op::Sync, path).map(drop)?;
    file.sync_all().await
}

pub(crate) async fn file_sync_data(file: &File, path: &Path) -> io::Result<()> {
    gate(Op::Sync, path).map(drop)?;
    file.sync_data().await
}

pub(crate) async fn file_metadata(file: &File, path: &Path) -> io::Result<Metadata> {
    gate(Op::Metadata, path).map(drop)?;
    file.metadata().await
}

pub(crate) async fn file_set_permissions(
    file: &File,
    perm: Permissions,
    path: &Path,
) -> io::Result<()> {
    gate(Op::SetPermissions, path).map(drop)?;
    file.set_permissions(perm).await
}
