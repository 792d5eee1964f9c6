//! `std::fs` with the same names and signatures, consulting the active
//! fault plan first: adopting it in code under test is a change of `use`.
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
//! A faithful mirror: it never retries (a retrying `rename` here would
//! swallow the faults you inject to test your own retry loop), and with no
//! plan active each function costs its std call plus one atomic load. Errors
//! are std's, or the injected ones, untouched.
//!
//! What it covers: [`File`] and [`OpenOptions`], and the path functions
//! below. What it does not (use `std::fs` for these; they consult no plan):
//! `read_dir`, `symlink_metadata`, `canonicalize`, `hard_link`, `read_link`,
//! `exists`, `DirBuilder`, and the platform extension traits (reach std's
//! types with `as_std`/`as_std_mut`). Reading and seeking an open [`File`]
//! consult no plan either: there is no read operation in a plan.

#[cfg(feature = "tokio")]
pub mod tokio;

use std::fmt;
use std::fs::{Metadata, Permissions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::classify::Op;
use crate::sys::mirror::{self, LockCall};

/// [`std::fs::copy`]; consults the plan as [`Op::Copy`] on `to`.
///
/// ```
/// # let d = tempfile::tempdir()?;
/// std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::fs::copy(d.path().join("a"), d.path().join("b"))?, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn copy<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<u64> {
    mirror::copy(from.as_ref(), to.as_ref())
}

/// [`std::fs::create_dir`]; [`Op::CreateDir`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// flakeproof::fs::create_dir(d.path().join("sub"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn create_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    mirror::create_dir(path.as_ref())
}

/// [`std::fs::create_dir_all`]; [`Op::CreateDir`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// flakeproof::fs::create_dir_all(d.path().join("a/b/c"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn create_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    mirror::create_dir_all(path.as_ref())
}

/// [`std::fs::metadata`]; [`Op::Metadata`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// assert!(flakeproof::fs::metadata(d.path())?.is_dir());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn metadata<P: AsRef<Path>>(path: P) -> io::Result<Metadata> {
    mirror::metadata(path.as_ref())
}

/// [`std::fs::read`]; [`Op::Open`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::fs::read(d.path().join("a"))?, b"x");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read<P: AsRef<Path>>(path: P) -> io::Result<Vec<u8>> {
    mirror::read(path.as_ref())
}

/// [`std::fs::read_to_string`]; [`Op::Open`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// assert_eq!(flakeproof::fs::read_to_string(d.path().join("a"))?, "x");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_to_string<P: AsRef<Path>>(path: P) -> io::Result<String> {
    mirror::read_to_string(path.as_ref())
}

/// [`std::fs::remove_dir`]; [`Op::RemoveDir`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir(d.path().join("e"))?;
/// flakeproof::fs::remove_dir(d.path().join("e"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_dir<P: AsRef<Path>>(path: P) -> io::Result<()> {
    mirror::remove_dir(path.as_ref())
}

/// [`std::fs::remove_dir_all`]; [`Op::RemoveDir`], once for the whole tree.
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::create_dir_all(d.path().join("a/b"))?;
/// flakeproof::fs::remove_dir_all(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_dir_all<P: AsRef<Path>>(path: P) -> io::Result<()> {
    mirror::remove_dir_all(path.as_ref())
}

/// [`std::fs::remove_file`]; [`Op::RemoveFile`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::fs::remove_file(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn remove_file<P: AsRef<Path>>(path: P) -> io::Result<()> {
    mirror::remove_file(path.as_ref())
}

/// [`std::fs::rename`]; [`Op::Rename`] on `to`. Never retried.
///
/// ```
/// # let d = tempfile::tempdir()?;
/// # std::fs::write(d.path().join("a"), "x")?;
/// flakeproof::fs::rename(d.path().join("a"), d.path().join("b"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn rename<P: AsRef<Path>, Q: AsRef<Path>>(from: P, to: Q) -> io::Result<()> {
    mirror::rename(from.as_ref(), to.as_ref())
}

/// [`std::fs::set_permissions`]; [`Op::SetPermissions`].
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
    mirror::set_permissions(path.as_ref(), perm)
}

/// [`std::fs::write`]; [`Op::OpenWrite`], then [`Op::Write`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// flakeproof::fs::write(d.path().join("a"), b"bytes")?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write<P: AsRef<Path>, C: AsRef<[u8]>>(path: P, contents: C) -> io::Result<()> {
    mirror::write(path.as_ref(), contents.as_ref())
}

/// [`std::fs::File`], whose opening, writing, syncing, metadata, permission
/// and lock calls consult the plan under [`Op::Open`]/[`Op::OpenWrite`],
/// [`Op::Write`], [`Op::Sync`], [`Op::Metadata`], [`Op::SetPermissions`] and
/// [`Op::Lock`], on the path it was opened with. Reads and seeks do not.
///
/// ```
/// use std::io::Write;
/// use flakeproof::{fault::FaultPlan, fs::File};
/// # let d = tempfile::tempdir()?;
/// let mut f = File::create(d.path().join("log"))?;
/// f.write_all(b"one\n")?;
/// let _g = FaultPlan::parse("sync(*/log)=EIO").unwrap().activate();
/// # #[cfg(unix)]
/// assert_eq!(f.sync_all().unwrap_err().raw_os_error(), Some(5));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct File {
    inner: std::fs::File,
    path: PathBuf,
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File").field("path", &self.path).finish()
    }
}

impl File {
    /// [`std::fs::File::open`]: read-only; [`Op::Open`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// # std::fs::write(d.path().join("a"), "x")?;
    /// let f = flakeproof::fs::File::open(d.path().join("a"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open<P: AsRef<Path>>(path: P) -> io::Result<File> {
        OpenOptions::new().read(true).open(path)
    }

    /// [`std::fs::File::create`]: write-only, created or truncated;
    /// [`Op::OpenWrite`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::create(d.path().join("a"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create<P: AsRef<Path>>(path: P) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
    }

    /// [`std::fs::File::create_new`]: fails if anything is there;
    /// [`Op::OpenWrite`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::File::create_new(d.path().join("a"))?;
    /// assert!(flakeproof::fs::File::create_new(d.path().join("a")).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn create_new<P: AsRef<Path>>(path: P) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
    }

    /// [`std::fs::File::options`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::options().append(true).create(true).open(d.path().join("a"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// The path the file was opened with (what plans match against).
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::create(d.path().join("a"))?;
    /// assert_eq!(f.path(), d.path().join("a"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// [`std::fs::File::sync_all`]; [`Op::Sync`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::File::create(d.path().join("a"))?.sync_all()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sync_all(&self) -> io::Result<()> {
        mirror::file_sync_all(&self.inner, &self.path)
    }

    /// [`std::fs::File::sync_data`]; [`Op::Sync`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::File::create(d.path().join("a"))?.sync_data()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sync_data(&self) -> io::Result<()> {
        mirror::file_sync_data(&self.inner, &self.path)
    }

    /// [`std::fs::File::set_len`]; [`Op::Write`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::create(d.path().join("a"))?;
    /// f.set_len(10)?;
    /// assert_eq!(f.metadata()?.len(), 10);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_len(&self, size: u64) -> io::Result<()> {
        mirror::file_set_len(&self.inner, size, &self.path)
    }

    /// [`std::fs::File::metadata`]; [`Op::Metadata`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// assert_eq!(flakeproof::fs::File::create(d.path().join("a"))?.metadata()?.len(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn metadata(&self) -> io::Result<Metadata> {
        mirror::file_metadata(&self.inner, &self.path)
    }

    /// [`std::fs::File::set_permissions`]; [`Op::SetPermissions`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::create(d.path().join("a"))?;
    /// f.set_permissions(f.metadata()?.permissions())?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        mirror::file_set_permissions(&self.inner, perm, &self.path)
    }

    /// [`std::fs::File::lock`] (exclusive, blocking); [`Op::Lock`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::create(d.path().join("lock"))?;
    /// f.lock()?;
    /// f.unlock()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock(&self) -> io::Result<()> {
        self.lock_call(LockCall::Exclusive).map_err(into_io)
    }

    /// [`std::fs::File::lock_shared`]; [`Op::Lock`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::File::create(d.path().join("lock"))?.lock_shared()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock_shared(&self) -> io::Result<()> {
        self.lock_call(LockCall::Shared).map_err(into_io)
    }

    /// [`std::fs::File::try_lock`]; [`Op::Lock`]. An injected `EWOULDBLOCK`
    /// (or `ERROR_LOCK_VIOLATION`'s kind) is `TryLockError::WouldBlock`, as a
    /// real one is.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs::File};
    /// # let d = tempfile::tempdir()?;
    /// let f = File::create(d.path().join("lock"))?;
    /// # #[cfg(unix)] {
    /// let _g = FaultPlan::parse("lock=EWOULDBLOCK@1").unwrap().activate();
    /// assert!(matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
    /// assert!(f.try_lock().is_ok());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_lock(&self) -> Result<(), std::fs::TryLockError> {
        self.lock_call(LockCall::TryExclusive)
    }

    /// [`std::fs::File::try_lock_shared`]; [`Op::Lock`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// assert!(flakeproof::fs::File::create(d.path().join("lock"))?.try_lock_shared().is_ok());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_lock_shared(&self) -> Result<(), std::fs::TryLockError> {
        self.lock_call(LockCall::TryShared)
    }

    /// [`std::fs::File::unlock`]; [`Op::Lock`].
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// flakeproof::fs::File::create(d.path().join("lock"))?.unlock()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unlock(&self) -> io::Result<()> {
        self.lock_call(LockCall::Unlock).map_err(into_io)
    }

    fn lock_call(&self, call: LockCall) -> Result<(), std::fs::TryLockError> {
        mirror::file_lock(&self.inner, call, &self.path)
    }

    /// The std file, to read it. Calls made through it bypass the plan.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let f = flakeproof::fs::File::create(d.path().join("a"))?;
    /// assert!(f.as_std().metadata()?.is_file());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_std(&self) -> &std::fs::File {
        &self.inner
    }

    /// The std file, for what this type does not mirror (platform extension
    /// traits). Calls made through it bypass the plan.
    ///
    /// ```
    /// use std::io::Write;
    /// # let d = tempfile::tempdir()?;
    /// let mut f = flakeproof::fs::File::create(d.path().join("a"))?;
    /// f.as_std_mut().write_all(b"not seen by any plan")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::fs::File {
        &mut self.inner
    }

    /// The std file; later calls on it bypass the plan.
    ///
    /// ```
    /// # let d = tempfile::tempdir()?;
    /// let std_file: std::fs::File = flakeproof::fs::File::create(d.path().join("a"))?.into_std();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> std::fs::File {
        self.inner
    }
}

fn into_io(e: std::fs::TryLockError) -> io::Error {
    match e {
        std::fs::TryLockError::Error(e) => e,
        std::fs::TryLockError::WouldBlock => io::ErrorKind::WouldBlock.into(),
    }
}

impl Write for File {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        mirror::file_write(&mut self.inner, buf, &self.path)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Read for File {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Seek for File {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// [`std::fs::OpenOptions`]. `open` consults the plan as [`Op::OpenWrite`]
/// if any of write, append, truncate, create or create_new was set through
/// this type, else as [`Op::Open`].
///
/// ```
/// # let d = tempfile::tempdir()?;
/// let f = flakeproof::fs::OpenOptions::new().write(true).create_new(true).open(d.path().join("a"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions {
    inner: std::fs::OpenOptions,
    writes: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenOptions {
    /// [`std::fs::OpenOptions::new`]: nothing set.
    ///
    /// ```
    /// let o = flakeproof::fs::OpenOptions::new();
    /// ```
    pub fn new() -> Self {
        OpenOptions {
            inner: std::fs::OpenOptions::new(),
            writes: false,
        }
    }

    /// [`std::fs::OpenOptions::read`].
    ///
    /// ```
    /// flakeproof::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.inner.read(read);
        self
    }

    /// [`std::fs::OpenOptions::write`].
    ///
    /// ```
    /// flakeproof::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.inner.write(write);
        self.writes |= write;
        self
    }

    /// [`std::fs::OpenOptions::append`].
    ///
    /// ```
    /// flakeproof::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut Self {
        self.inner.append(append);
        self.writes |= append;
        self
    }

    /// [`std::fs::OpenOptions::truncate`].
    ///
    /// ```
    /// flakeproof::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.inner.truncate(truncate);
        self.writes |= truncate;
        self
    }

    /// [`std::fs::OpenOptions::create`].
    ///
    /// ```
    /// flakeproof::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.inner.create(create);
        self.writes |= create;
        self
    }

    /// [`std::fs::OpenOptions::create_new`].
    ///
    /// ```
    /// flakeproof::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut Self {
        self.inner.create_new(create_new);
        self.writes |= create_new;
        self
    }

    /// [`std::fs::OpenOptions::open`], after consulting the plan.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, fs::OpenOptions};
    /// # let d = tempfile::tempdir()?;
    /// let _g = FaultPlan::parse("open_write=EROFS").unwrap().activate();
    /// assert!(OpenOptions::new().write(true).create(true).open(d.path().join("a")).is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open<P: AsRef<Path>>(&self, path: P) -> io::Result<File> {
        let path = path.as_ref();
        let op = if self.writes { Op::OpenWrite } else { Op::Open };
        let inner = mirror::open(&self.inner, path, op)?;
        Ok(File {
            inner,
            path: path.to_owned(),
        })
    }

    /// The std options, for platform extensions (`mode`, `custom_flags`,
    /// `share_mode`). Flags set there do not change which operation `open`
    /// consults the plan as.
    ///
    /// ```
    /// let mut o = flakeproof::fs::OpenOptions::new();
    /// # #[cfg(unix)]
    /// std::os::unix::fs::OpenOptionsExt::mode(o.as_std_mut(), 0o600);
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::fs::OpenOptions {
        &mut self.inner
    }
}
