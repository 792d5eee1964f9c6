//! The robust operations that differ from any one std call: an atomic
//! write, an fsync that opens the handle the OS needs, and a replacement
//! that keeps the old file under a dated name.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::ops::Robust;
use crate::classify::Op;
use crate::names::{Leftover, split_file_path as split};
use crate::retry::RetryReport;
use crate::sys::{self, mirror};

impl Robust {
    /// Replace `path` with `contents` so that a reader (or a crash) sees the
    /// old file or the new one, never a mix: write a hidden temp sibling
    /// (`.<name>.<hex>.flakeproof-tmp`, created exclusively), fsync it,
    /// rename it over `path` (retried), fsync the directory (Unix).
    ///
    /// The new file gets `path`'s permissions if it existed, else the
    /// default for a new file (0o666 less the umask). Any failure before
    /// the rename removes the temp file and leaves `path` as it was; an
    /// error from the directory's fsync comes after the rename, with the
    /// new content in place. The report is the rename's.
    ///
    /// ```
    /// use flakeproof::robust::Robust;
    /// let dir = tempfile::tempdir()?;
    /// let settings = dir.path().join("settings.json");
    /// let report = Robust::new().write_atomic(&settings, b"{\"v\": 2}")?;
    /// assert_eq!(std::fs::read(&settings)?, b"{\"v\": 2}");
    /// assert_eq!(report.attempts, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_atomic(
        &self,
        path: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
    ) -> io::Result<RetryReport> {
        let path = path.as_ref();
        let (dir, name) = split(path)?;
        let tmp = dir.join(Leftover::Temp.name(name, sys::random_u64()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        // create_new never follows a link, and never opens someone's file.
        let mut file = mirror::open(&options, &tmp, Op::OpenWrite)?;
        let written = (|| {
            if let Ok(meta) = mirror::metadata(path) {
                mirror::file_set_permissions(&file, meta.permissions(), &tmp)?;
            }
            sys::write_all(&mut file, contents.as_ref(), &tmp)?;
            mirror::file_sync_all(&file, &tmp)
        })();
        let closed = sys::close(file, &tmp);
        let renamed = written.and(closed).and_then(|()| self.rename(&tmp, path));
        match renamed {
            Ok(report) => {
                sys::sync_dir(dir)?;
                Ok(report)
            }
            Err(e) => {
                let _ = self.remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// fsync `path`, opening it the way this OS needs: read-only on Unix
    /// (a writable descriptor would expose a program to ETXTBSY), writable
    /// on Windows, where FlushFileBuffers on a read-only handle fails with
    /// ERROR_ACCESS_DENIED. The open is retried as [`Op::Open`] is (a
    /// scanner holding the file on Windows); an fsync error is never
    /// retried (after a failed fsync the data's state is unknown: retrying
    /// can report success for lost writes, PostgreSQL's "fsyncgate").
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let db = dir.path().join("app.db");
    /// # std::fs::write(&db, "data")?;
    /// flakeproof::robust::Robust::new().sync(&db)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sync(&self, path: impl AsRef<Path>) -> io::Result<RetryReport> {
        let path = path.as_ref();
        let (file, report) = self.run(Op::Open, || sys::open_for_sync(path))?;
        sys::sync_file(&file, path)?;
        Ok(report)
    }

    /// [`sync`](Self::sync) where durability is a wish, not a requirement
    /// (a cache, a log): the error is handed back, never raised, so that a
    /// read-only file or a filesystem without fsync can't stop a program
    /// from starting, the crash the Windows daemon of issue 8 had.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let log = dir.path().join("app.log");
    /// # std::fs::write(&log, "line")?;
    /// if let Some(e) = flakeproof::robust::Robust::new().sync_best_effort(&log) {
    ///     eprintln!("note: {} not synced: {e}", log.display());
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn sync_best_effort(&self, path: impl AsRef<Path>) -> Option<io::Error> {
        self.sync(path).err()
    }

    /// Put `src` at `dst`, keeping the file that was at `dst` as
    /// `<dst>.<UTC time>.bak` (`app.db.20261123T101500Z.bak`, with `-1`,
    /// `-2` ... if taken), as a migration keeps the database it replaces.
    /// Returns the backup's path (`None` if `dst` did not exist) and the
    /// final rename's report.
    ///
    /// The backup is a hard link to the old file, made before `src` is
    /// renamed over `dst`: `dst` exists throughout. Where hard links are
    /// not supported (FAT), `dst` is renamed to the backup name first, and
    /// renamed back if `src` can't take its place. Both steps are retried.
    ///
    /// ```
    /// use flakeproof::robust::Robust;
    /// let dir = tempfile::tempdir()?;
    /// let (new, db) = (dir.path().join("migrated.db"), dir.path().join("app.db"));
    /// std::fs::write(&db, "v1")?;
    /// std::fs::write(&new, "v2")?;
    /// let (backup, _) = Robust::new().replace_with_backup(&new, &db)?;
    /// assert_eq!(std::fs::read(&db)?, b"v2");
    /// assert_eq!(std::fs::read(backup.unwrap())?, b"v1");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn replace_with_backup(
        &self,
        src: impl AsRef<Path>,
        dst: impl AsRef<Path>,
    ) -> io::Result<(Option<PathBuf>, RetryReport)> {
        let (src, dst) = (src.as_ref(), dst.as_ref());
        let (dir, name) = split(dst)?;
        if !sys::exists(dst)? {
            return self.rename(src, dst).map(|r| (None, r));
        }
        let stamp = utc_stamp(SystemTime::now());
        for n in 0..100 {
            let backup = dir.join(backup_name(name, &stamp, n));
            match self.run(Op::Rename, || sys::hard_link(dst, &backup)) {
                Ok(_) => {
                    return match self.rename(src, dst) {
                        Ok(r) => Ok((Some(backup), r)),
                        Err(e) => {
                            // `dst` still holds the old file: the backup
                            // would be a stray second name for it.
                            let _ = self.remove_file(&backup);
                            Err(e)
                        }
                    };
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(_) if sys::exists(&backup)? => continue,
                // No hard links here: two renames, undone on failure.
                Err(_) => {
                    self.rename(dst, &backup)?;
                    return match self.rename(src, dst) {
                        Ok(r) => Ok((Some(backup), r)),
                        Err(e) => {
                            let _ = self.rename(&backup, dst);
                            Err(e)
                        }
                    };
                }
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("100 backups of {} already exist for {stamp}", dst.display()),
        ))
    }
}

/// `name.STAMP.bak`, or `name.STAMP-n.bak` for the n-th taken one.
fn backup_name(name: &str, stamp: &str, n: u32) -> String {
    match n {
        0 => format!("{name}.{stamp}.bak"),
        n => format!("{name}.{stamp}-{n}.bak"),
    }
}

/// `YYYYMMDDTHHMMSSZ` in UTC: sorts by time, and has no `:` (which Windows
/// forbids in names).
fn utc_stamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stamps_are_utc_calendar_times() {
        let at = |s| utc_stamp(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z"); // a leap day
        assert_eq!(at(1_795_428_900), "20261123T101500Z");
        assert_eq!(at(4_102_444_799), "20991231T235959Z");
        assert_eq!(at(4_107_542_399), "21000228T235959Z"); // 2100 is no leap year
        assert_eq!(backup_name("app.db", "X", 0), "app.db.X.bak");
        assert_eq!(backup_name("app.db", "X", 2), "app.db.X-2.bak");
    }
}
