//! A cross-process lock per key, for build artifacts: two processes that
//! build the same output take turns, two that build different outputs never
//! wait for each other.
//!
//! Built on std's `File::lock` family (flock on Unix, `LockFileEx` on
//! Windows): the OS releases the lock when the holder dies, however it dies,
//! so there is no stale-lock heuristic to get wrong (unlike locks that judge
//! a lock file by its age, such as proper-lockfile's 5-minute timeout that
//! mops used). Lock files are never deleted: a deleted lock file lets one
//! process lock the old inode while another creates and locks a new one.
//! Who holds a lock is recorded in a sidecar file beside it, since on
//! Windows a locked file's bytes can't be read by others.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::names::validate_name;
use crate::os::Os;
use crate::retry::backoff::Backoff;
use crate::retry::clock::{Clock, SystemClock};
use crate::sys::{self, FsKind};

mod holder;

pub use holder::{Holder, Waiting};

type WaitHook = Arc<dyn Fn(&Waiting<'_>) + Send + Sync>;

/// Cross-process locks, one per key, in a directory you pick: lock file
/// `.{key}.lock`, holder record `.{key}.lock.holder`.
///
/// - [`lock`](Self::lock) waits (polling `try_lock` after 1, 2, 4 ... ms,
///   capped at 100 ms: no thread is left blocked in the OS) up to the
///   [`timeout`](Self::timeout), then fails with `TimedOut`, naming the
///   holder. There is no queue: whoever polls first after a release gets
///   the lock, so a process that releases and relocks at once can starve
///   the others (a build that takes seconds never notices), and a handover
///   costs up to one poll interval. [`try_lock`](Self::try_lock)
///   doesn't wait; both have `_shared` forms (many readers, or one writer).
/// - [`on_wait`](Self::on_wait) is called once when a lock has to be
///   waited for, with the holder: the place for cargo's "Blocking waiting
///   for file lock on ...", which here can say who holds it.
/// - The OS releases a lock when its holder exits or dies; dropping the
///   guard releases it earlier. Different keys never block each other.
/// - On a network filesystem (NFS, SMB/CIFS ...), flock may hang or be
///   emulated per process, so locking there is an `Unsupported` error,
///   never a silent "proceed unlocked" (cargo's choice); opt in with
///   [`allow_network_filesystems`](Self::allow_network_filesystems).
///
/// ```
/// use std::time::Duration;
/// use flakeproof::ArtifactLock;
/// let dir = tempfile::tempdir()?;
/// let locks = ArtifactLock::new(dir.path()).timeout(Duration::from_secs(60));
/// {
///     let _building = locks.lock("canister-a")?;   // exclusive
///     assert!(locks.try_lock("canister-a")?.is_none()); // taken (by us, here)
///     assert!(locks.try_lock("canister-b")?.is_some()); // other keys are free
/// }
/// assert!(locks.try_lock("canister-a")?.is_some()); // released on drop
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "an ArtifactLock does nothing until you lock a key"]
pub struct ArtifactLock {
    dir: PathBuf,
    timeout: Duration,
    on_wait: Option<WaitHook>,
    allow_network: bool,
    record: bool,
    /// Opened lock files and this process's holders, shared by clones.
    keys: Arc<Keys>,
}

/// Each key's lock file is opened once per `ArtifactLock` (and its clones)
/// and kept: an acquisition is then one flock call, not an open, a flock
/// and a close. Guards from the same `ArtifactLock` share that open file
/// description, whose flock can't tell them apart, so who holds what in this
/// process is counted here; guards from different `ArtifactLock`s, like
/// different processes, have descriptions of their own and meet in flock.
#[derive(Default)]
struct Keys {
    open: Mutex<HashMap<String, Arc<KeyState>>>,
    /// The directory's filesystem, once known: `Some(name)` if a network one.
    network: OnceLock<Option<&'static str>>,
    /// The directory was created (or found) once.
    dir_ready: OnceLock<()>,
}

struct KeyState {
    file: File,
    path: PathBuf,
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    exclusive: bool,
    shared: u32,
}

impl fmt::Debug for ArtifactLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArtifactLock")
            .field("dir", &self.dir)
            .field("timeout", &self.timeout)
            .field("on_wait", &self.on_wait.is_some())
            .field("allow_network", &self.allow_network)
            .field("record", &self.record)
            .finish()
    }
}

impl ArtifactLock {
    /// Locks whose files live in `dir`, created (with its parents) on the
    /// first lock. Default timeout: 10 minutes.
    ///
    /// ```
    /// # let tmp = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(tmp.path().join("target/.locks"));
    /// let _g = locks.lock("app")?; // target/.locks is there now
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ArtifactLock {
            dir: dir.into(),
            timeout: Duration::from_secs(600),
            on_wait: None,
            allow_network: false,
            record: true,
            keys: Arc::new(Keys::default()),
        }
    }

    /// Give up waiting after `timeout` (`TimedOut`, naming the holder).
    ///
    /// ```
    /// let locks = flakeproof::ArtifactLock::new("locks").timeout(std::time::Duration::from_secs(5));
    /// # let _ = locks;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Call `hook` once per acquisition that has to wait, before waiting.
    ///
    /// ```
    /// let locks = flakeproof::ArtifactLock::new("locks")
    ///     .on_wait(|w| eprintln!("Blocking waiting for file lock on {} ({})", w.key, w.holder_text()));
    /// # let _ = locks;
    /// ```
    pub fn on_wait(mut self, hook: impl Fn(&Waiting<'_>) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(Arc::new(hook));
        self
    }

    /// Lock on network filesystems too, where flock may hang or protect
    /// nothing (it may be emulated with per-process locks). Off by default.
    ///
    /// ```
    /// let locks = flakeproof::ArtifactLock::new("locks").allow_network_filesystems(true);
    /// # let _ = locks;
    /// ```
    pub fn allow_network_filesystems(mut self, allow: bool) -> Self {
        self.allow_network = allow;
        self
    }

    /// Record who holds a lock, for waiters and timeout errors (default
    /// true). The record is one in-place write of 1 KiB per acquisition.
    ///
    /// ```
    /// let hot = flakeproof::ArtifactLock::new("locks").record_holder(false);
    /// # let _ = hot;
    /// ```
    pub fn record_holder(mut self, record: bool) -> Self {
        self.record = record;
        self
    }

    /// The lock file of `key`.
    ///
    /// ```
    /// let locks = flakeproof::ArtifactLock::new("locks");
    /// assert_eq!(locks.lock_file("app"), std::path::Path::new("locks/.app.lock"));
    /// ```
    pub fn lock_file(&self, key: &str) -> PathBuf {
        self.dir.join(format!(".{key}.lock"))
    }

    fn record_file(&self, key: &str) -> PathBuf {
        self.dir.join(format!(".{key}.lock.holder"))
    }

    /// Take `key` exclusively, waiting up to the timeout.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let guard = flakeproof::ArtifactLock::new(dir.path()).lock("app")?;
    /// assert_eq!(guard.key(), "app");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock(&self, key: &str) -> io::Result<ArtifactGuard> {
        self.acquire(key, false, true)
            .map(|g| g.expect("a waiting acquire returns a guard"))
    }

    /// Take `key` shared (with other shared holders), waiting up to the
    /// timeout.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(dir.path());
    /// let (a, b) = (locks.lock_shared("app")?, locks.lock_shared("app")?);
    /// assert!(a.is_shared() && b.is_shared());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock_shared(&self, key: &str) -> io::Result<ArtifactGuard> {
        self.acquire(key, true, true)
            .map(|g| g.expect("a waiting acquire returns a guard"))
    }

    /// Take `key` exclusively if it is free now; `None` if it is held.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(dir.path());
    /// let first = locks.try_lock("app")?;
    /// assert!(first.is_some());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_lock(&self, key: &str) -> io::Result<Option<ArtifactGuard>> {
        self.acquire(key, false, false)
    }

    /// Take `key` shared if that is possible now; `None` if it is held
    /// exclusively.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(dir.path());
    /// let _writer = locks.lock("app")?;
    /// assert!(locks.try_lock_shared("app")?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_lock_shared(&self, key: &str) -> io::Result<Option<ArtifactGuard>> {
        self.acquire(key, true, false)
    }

    /// Who holds (or last held) `key`, from its record.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(dir.path());
    /// assert!(locks.holder("never-locked")?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn holder(&self, key: &str) -> io::Result<Option<Holder>> {
        validate_key(key)?;
        Ok(sys::lock::read_record(&self.record_file(key))?.and_then(|t| Holder::from_record(&t)))
    }

    fn acquire(&self, key: &str, shared: bool, wait: bool) -> io::Result<Option<ArtifactGuard>> {
        let mut acquiring = self.start(key, shared)?;
        loop {
            match acquiring.poll(wait)? {
                Polled::Held(guard) => return Ok(Some(guard)),
                Polled::Busy => return Ok(None),
                Polled::Wait(delay) => SystemClock.sleep(delay),
            }
        }
    }

    /// Take `key` exclusively, waiting up to the timeout, from async code
    /// (feature `tokio`): the waits between polls are tokio timer sleeps, so
    /// no worker is blocked while another task or process holds the key.
    /// Each poll is a non-blocking `flock`.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build()?.block_on(async {
    /// # let dir = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(dir.path());
    /// let guard = locks.lock_async("app").await?;
    /// assert_eq!(guard.key(), "app");
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub async fn lock_async(&self, key: &str) -> io::Result<ArtifactGuard> {
        self.acquire_async(key, false).await
    }

    /// [`lock_shared`](Self::lock_shared) from async code (feature
    /// `tokio`), waiting as [`lock_async`](Self::lock_async) does.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build()?.block_on(async {
    /// # let dir = tempfile::tempdir()?;
    /// let locks = flakeproof::ArtifactLock::new(dir.path());
    /// let (a, b) = (locks.lock_shared_async("app").await?, locks.lock_shared_async("app").await?);
    /// assert!(a.is_shared() && b.is_shared());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub async fn lock_shared_async(&self, key: &str) -> io::Result<ArtifactGuard> {
        self.acquire_async(key, true).await
    }

    #[cfg(feature = "tokio")]
    async fn acquire_async(&self, key: &str, shared: bool) -> io::Result<ArtifactGuard> {
        let mut acquiring = self.start(key, shared)?;
        loop {
            match acquiring.poll(true)? {
                Polled::Held(guard) => return Ok(guard),
                Polled::Busy => unreachable!("a waiting acquisition is never busy"),
                Polled::Wait(delay) => ::tokio::time::sleep(delay).await,
            }
        }
    }

    /// The start of an acquisition: the key checked, the directory made,
    /// the filesystem asked about, the key's lock file open.
    fn start<'a>(&'a self, key: &'a str, shared: bool) -> io::Result<Acquiring<'a>> {
        validate_key(key)?;
        if self.keys.dir_ready.get().is_none() {
            // Created on first use, as cargo creates its lock's directory.
            crate::sys::mirror::create_dir_all(&self.dir)?;
            let _ = self.keys.dir_ready.set(());
        }
        self.refuse_network_filesystems()?;
        Ok(Acquiring {
            lock: self,
            key,
            state: self.key_state(key)?,
            shared,
            start: SystemClock.now(),
            delays: Backoff::exponential(Duration::from_millis(1))
                .max_delay(Duration::from_millis(100)),
            told: false,
        })
    }

    /// Network filesystems: a clear error unless allowed (asked once).
    fn refuse_network_filesystems(&self) -> io::Result<()> {
        if self.allow_network {
            return Ok(());
        }
        let network = match self.keys.network.get() {
            Some(n) => *n,
            None => {
                let n = match sys::fs_kind(&self.dir)? {
                    FsKind::Network(name) => Some(name),
                    _ => None,
                };
                *self.keys.network.get_or_init(|| n)
            }
        };
        match network {
            None => Ok(()),
            Some(name) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{} is on {name}, where flock may hang or lock nothing: refusing to lock \
                     (ArtifactLock::allow_network_filesystems to insist)",
                    self.dir.display()
                ),
            )),
        }
    }

    fn key_state(&self, key: &str) -> io::Result<Arc<KeyState>> {
        let mut open = self.keys.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(state) = open.get(key) {
            return Ok(state.clone());
        }
        let path = self.lock_file(key);
        let state = Arc::new(KeyState {
            file: sys::lock::open_lock_file(&path)?,
            path,
            held: Mutex::new(Held::default()),
        });
        open.insert(key.to_owned(), state.clone());
        Ok(state)
    }
}

impl KeyState {
    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One attempt: this process's own holders first, then the OS's lock
    /// (taken only when this process holds none).
    fn try_acquire(&self, shared: bool) -> io::Result<bool> {
        let mut held = self.held();
        if held.exclusive || (!shared && held.shared > 0) {
            return Ok(false);
        }
        if held.shared > 0 {
            held.shared += 1; // the description already holds it shared
            return Ok(true);
        }
        if !sys::lock::try_lock(&self.file, shared, &self.path)? {
            return Ok(false);
        }
        if shared {
            held.shared = 1;
        } else {
            held.exclusive = true;
        }
        Ok(true)
    }

    fn release(&self, shared: bool) {
        let mut held = self.held();
        if shared {
            held.shared = held.shared.saturating_sub(1);
            if held.shared > 0 {
                return;
            }
        } else {
            held.exclusive = false;
        }
        // Not gated: a failed unlock would keep the key locked for the
        // life of this ArtifactLock. Closing the description (dropping the
        // last clone) releases it in any case.
        sys::lock::unlock(&self.file);
    }
}

fn validate_key(key: &str) -> io::Result<()> {
    validate_name(Os::CURRENT, key).map_err(|why| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("lock key {key:?} {why}"),
        )
    })
}

/// One acquisition between its polls, shared by `lock` and `lock_async`.
struct Acquiring<'a> {
    lock: &'a ArtifactLock,
    key: &'a str,
    state: Arc<KeyState>,
    shared: bool,
    start: Duration,
    delays: crate::retry::Exponential,
    told: bool, // the wait hook was called (before the first wait)
}

/// What one poll found.
enum Polled {
    Held(ArtifactGuard),
    /// Held by someone; the caller doesn't wait.
    Busy,
    /// Held by someone: poll again after this.
    Wait(Duration),
}

impl Acquiring<'_> {
    fn poll(&mut self, wait: bool) -> io::Result<Polled> {
        let (lock, key) = (self.lock, self.key);
        if self.state.try_acquire(self.shared)? {
            if lock.record {
                // Best effort: the record only informs waiters; the lock is held.
                let _ = sys::lock::write_record(&lock.record_file(key), &Holder::me().to_record());
            }
            return Ok(Polled::Held(ArtifactGuard {
                // `told` is set before the first wait: no wait, no time waited.
                waited: if self.told {
                    SystemClock.now().saturating_sub(self.start)
                } else {
                    Duration::ZERO
                },
                state: self.state.clone(),
                key: key.to_owned(),
                shared: self.shared,
            }));
        }
        if !wait {
            return Ok(Polled::Busy);
        }
        let waited = SystemClock.now().saturating_sub(self.start);
        if waited >= lock.timeout {
            let holder = lock.holder(key).ok().flatten();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "timed out after {:?} waiting for the lock on {} (held by {})",
                    lock.timeout,
                    self.state.path.display(),
                    holder.map_or_else(|| "an unknown holder".to_owned(), |h| h.to_string())
                ),
            ));
        }
        if !self.told {
            self.told = true;
            if let Some(hook) = &lock.on_wait {
                hook(&Waiting {
                    key,
                    lock_file: &self.state.path,
                    holder: lock.holder(key).ok().flatten(),
                });
            }
        }
        let delay = self.delays.next().unwrap_or(Duration::from_millis(100));
        Ok(Polled::Wait(delay.min(lock.timeout - waited)))
    }
}

/// A held lock; released when dropped (or when the process ends).
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let locks = flakeproof::ArtifactLock::new(dir.path());
/// let guard = locks.lock("app")?;
/// assert!(guard.lock_file().ends_with(".app.lock"));
/// drop(guard); // released
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "the lock is released when the guard drops"]
pub struct ArtifactGuard {
    state: Arc<KeyState>,
    key: String,
    shared: bool,
    waited: Duration,
}

impl fmt::Debug for ArtifactGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArtifactGuard")
            .field("key", &self.key)
            .field("lock_file", &self.state.path)
            .field("shared", &self.shared)
            .finish()
    }
}

impl Drop for ArtifactGuard {
    fn drop(&mut self) {
        self.state.release(self.shared);
    }
}

impl ArtifactGuard {
    /// The key.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// assert_eq!(flakeproof::ArtifactLock::new(dir.path()).lock("k")?.key(), "k");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How long the lock was waited for: zero if it was free at the first
    /// try.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let g = flakeproof::ArtifactLock::new(dir.path()).lock("k")?;
    /// assert_eq!(g.waited(), std::time::Duration::ZERO); // nobody held it
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The lock file.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let g = flakeproof::ArtifactLock::new(dir.path()).lock("k")?;
    /// assert!(g.lock_file().exists());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock_file(&self) -> &Path {
        &self.state.path
    }

    /// Shared (true) or exclusive.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// assert!(!flakeproof::ArtifactLock::new(dir.path()).lock("k")?.is_shared());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_shared(&self) -> bool {
        self.shared
    }
}
