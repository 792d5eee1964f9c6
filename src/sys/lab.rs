//! Calls for the `lab` tools, which make the conditions of a race (the
//! forks, the held writer, the naive installs to compare against). They
//! never pass the fault gate: a chaos run's storm must not be failed or
//! recorded by the plan under test. Each runs under `fault::exempt`, so
//! that a kernel plan on the thread passes them too. (The held writer's
//! later writes, through the `File`, are the caller's, as any file's are.)

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, ExitStatus};

use super::imp;
use crate::fault::exempt;

pub(crate) fn status(cmd: &mut Command) -> io::Result<ExitStatus> {
    exempt(|| cmd.status())
}

pub(crate) fn open_for_writing(path: &Path) -> io::Result<File> {
    exempt(|| imp::open_for_writing(path))
}

/// `fs::write`, then make it executable: the simplest install.
pub(crate) fn plain_write(path: &Path, body: &[u8], mode: u32) -> io::Result<()> {
    exempt(|| {
        std::fs::write(path, body)?;
        imp::set_mode_path(path, mode)
    })
}

/// Write `tmp` with the descriptor held open through the chmod and (if
/// `fsync`) the fsync, the usual "atomic install"; then rename it to `dest`
/// and (if `fsync`) fsync the directory.
pub(crate) fn temp_rename(
    tmp: &Path,
    dest: &Path,
    body: &[u8],
    mode: u32,
    fsync: bool,
) -> io::Result<()> {
    exempt(|| temp_rename_exempt(tmp, dest, body, mode, fsync))
}

fn temp_rename_exempt(
    tmp: &Path,
    dest: &Path,
    body: &[u8],
    mode: u32,
    fsync: bool,
) -> io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)?;
    f.write_all(body)?;
    imp::set_mode(&f, mode)?;
    if fsync {
        f.sync_all()?;
    }
    drop(f);
    std::fs::rename(tmp, dest)?;
    if fsync {
        imp::sync_dir(dest.parent().unwrap_or(Path::new(".")))?;
    }
    Ok(())
}
