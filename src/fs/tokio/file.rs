//! `tokio::fs::File` and `OpenOptions` with tokio's names, consulting the
//! plan in force on the polling thread, as [`crate::fs::File`] does for
//! std's: an async save that opens, writes, syncs and renames meets the
//! plan at each step.

use std::fmt;
use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

use crate::classify::Op;
use crate::sys::mirror_async;

/// [`tokio::fs::File`], remembering the path it was opened with. Writing
/// consults the plan as [`Op::Write`] (once per write, however many polls
/// it takes), `set_len` as [`Op::Write`], `sync_all`/`sync_data` as
/// [`Op::Sync`], `metadata` as [`Op::Metadata`], `set_permissions` as
/// [`Op::SetPermissions`], all on that path. Reads, seeks and flushes do not
/// (a plan has no read operation).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use tokio::io::AsyncWriteExt;
/// use flakeproof::{fault::FaultPlan, fs::tokio::File};
/// # let d = tempfile::tempdir()?;
/// let mut f = File::create(d.path().join("log")).await?;
/// f.write_all(b"one\n").await?;
/// let _g = FaultPlan::parse("sync(*/log)=EIO").unwrap().activate();
/// # #[cfg(unix)]
/// assert_eq!(f.sync_all().await.unwrap_err().raw_os_error(), Some(5));
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct File {
    inner: ::tokio::fs::File,
    path: PathBuf,
    /// The write being polled has consulted the plan already: a write that
    /// returns `Pending` is polled again with the same bytes, and counts
    /// once.
    write_counted: bool,
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("path", &self.path).finish()
    }
}

impl File {
    /// [`tokio::fs::File::open`]: read-only; [`Op::Open`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::write(d.path().join("a"), "x")?;
    /// let f = flakeproof::fs::tokio::File::open(d.path().join("a")).await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// [`tokio::fs::File::create`]: write-only, created or truncated;
    /// [`Op::OpenWrite`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// [`tokio::fs::File::create_new`]: fails if anything is there;
    /// [`Op::OpenWrite`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// use flakeproof::fs::tokio::File;
    /// # let d = tempfile::tempdir()?;
    /// File::create_new(d.path().join("a")).await?;
    /// assert!(File::create_new(d.path().join("a")).await.is_err());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// [`tokio::fs::File::options`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::options()
    ///     .append(true)
    ///     .create(true)
    ///     .open(d.path().join("a"))
    ///     .await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// The path the file was opened with (what plans match against).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// assert_eq!(f.path(), d.path().join("a"));
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// [`tokio::fs::File::sync_all`]; [`Op::Sync`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::tokio::File::create(d.path().join("a")).await?.sync_all().await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn sync_all(&self) -> io::Result<()> {
        mirror_async::file_sync_all(&self.inner, &self.path).await
    }

    /// [`tokio::fs::File::sync_data`]; [`Op::Sync`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::tokio::File::create(d.path().join("a")).await?.sync_data().await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn sync_data(&self) -> io::Result<()> {
        mirror_async::file_sync_data(&self.inner, &self.path).await
    }

    /// [`tokio::fs::File::set_len`]; [`Op::Write`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// f.set_len(10).await?;
    /// assert_eq!(f.metadata().await?.len(), 10);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        mirror_async::file_set_len(&self.inner, size, &self.path).await
    }

    /// [`tokio::fs::File::metadata`]; [`Op::Metadata`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// assert_eq!(f.metadata().await?.len(), 0);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        mirror_async::file_metadata(&self.inner, &self.path).await
    }

    /// [`tokio::fs::File::set_permissions`]; [`Op::SetPermissions`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// f.set_permissions(f.metadata().await?.permissions()).await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        mirror_async::file_set_permissions(&self.inner, perm, &self.path).await
    }

    /// The tokio file, for what this type does not mirror. Calls made
    /// through it bypass the plan.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// assert!(f.as_tokio().metadata().await?.is_file());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_tokio(&self) -> &::tokio::fs::File {
        &self.inner
    }

    /// The tokio file, mutably (`set_max_buf_size`, say). Calls made
    /// through it bypass the plan.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let mut f = flakeproof::fs::tokio::File::create(d.path().join("a")).await?;
    /// f.as_tokio_mut().set_max_buf_size(1 << 20);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_tokio_mut(&mut self) -> &mut ::tokio::fs::File {
        &mut self.inner
    }

    /// The tokio file; later calls on it bypass the plan.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f: tokio::fs::File =
    ///     flakeproof::fs::tokio::File::create(d.path().join("a")).await?.into_tokio();
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_tokio(self) -> ::tokio::fs::File {
        self.inner
    }

    /// [`tokio::fs::File::into_std`]: waits for a write in flight, then
    /// the std file; later calls on it bypass the plan.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f: std::fs::File =
    ///     flakeproof::fs::tokio::File::create(d.path().join("a")).await?.into_std().await;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn into_std(self) -> std::fs::File {
        self.inner.into_std().await
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        mirror_async::file_poll_write(
            Pin::new(&mut this.inner),
            cx,
            buf,
            &this.path,
            &mut this.write_counted,
        )
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncSeek for File {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        Pin::new(&mut self.get_mut().inner).start_seek(position)
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Pin::new(&mut self.get_mut().inner).poll_complete(cx)
    }
}

/// [`tokio::fs::OpenOptions`]. `open` consults the plan as
/// [`Op::OpenWrite`] if any of write, append, truncate, create or
/// create_new was set through this type, else as [`Op::Open`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// use flakeproof::{fault::FaultPlan, fs::tokio::OpenOptions};
/// # let d = tempfile::tempdir()?;
/// let _g = FaultPlan::parse("open_write=EROFS").unwrap().activate();
/// let opened = OpenOptions::new().write(true).create(true).open(d.path().join("a")).await;
/// assert!(opened.is_err());
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions {
    inner: ::tokio::fs::OpenOptions,
    writes: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenOptions {
    /// [`tokio::fs::OpenOptions::new`]: nothing set.
    ///
    /// ```
    /// let o = flakeproof::fs::tokio::OpenOptions::new();
    /// ```
    pub fn new() -> Self {
        OpenOptions {
            inner: ::tokio::fs::OpenOptions::new(),
            writes: false,
        }
    }

    /// [`tokio::fs::OpenOptions::read`].
    ///
    /// ```
    /// flakeproof::fs::tokio::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.inner.read(read);
        self
    }

    /// [`tokio::fs::OpenOptions::write`].
    ///
    /// ```
    /// flakeproof::fs::tokio::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.inner.write(write);
        self.writes |= write;
        self
    }

    /// [`tokio::fs::OpenOptions::append`].
    ///
    /// ```
    /// flakeproof::fs::tokio::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut Self {
        self.inner.append(append);
        self.writes |= append;
        self
    }

    /// [`tokio::fs::OpenOptions::truncate`].
    ///
    /// ```
    /// flakeproof::fs::tokio::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.inner.truncate(truncate);
        self.writes |= truncate;
        self
    }

    /// [`tokio::fs::OpenOptions::create`].
    ///
    /// ```
    /// flakeproof::fs::tokio::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.inner.create(create);
        self.writes |= create;
        self
    }

    /// [`tokio::fs::OpenOptions::create_new`].
    ///
    /// ```
    /// flakeproof::fs::tokio::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut Self {
        self.inner.create_new(create_new);
        self.writes |= create_new;
        self
    }

    /// [`tokio::fs::OpenOptions::open`], after consulting the plan.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::tokio::OpenOptions::new()
    ///     .write(true)
    ///     .create_new(true)
    ///     .open(d.path().join("a"))
    ///     .await?;
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref();
        let op = if self.writes { Op::OpenWrite } else { Op::Open };
        let inner = mirror_async::open(&self.inner, path, op).await?;
        Ok(File {
            inner,
            path: path.to_owned(),
            write_counted: false,
        })
    }

    /// The tokio options, for platform options (`mode`, `custom_flags`).
    /// Flags set there do not change which operation `open` consults the
    /// plan as.
    ///
    /// ```
    /// let mut o = flakeproof::fs::tokio::OpenOptions::new();
    /// # #[cfg(unix)]
    /// o.as_tokio_mut().mode(0o600);
    /// ```
    pub fn as_tokio_mut(&mut self) -> &mut ::tokio::fs::OpenOptions {
        &mut self.inner
    }
}
