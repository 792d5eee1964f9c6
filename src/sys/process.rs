//! Spawning, behind the fault gate as [`Op::Spawn`] on the program. A
//! command with a plan attached (`faults`) learns which plan the gate
//! counted its spawn under, so that plan doesn't count the child's first
//! exec again.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};

use crate::classify::Op;
use crate::fault::{gate, plan_in_force};

pub(crate) fn spawn(cmd: &mut Command) -> io::Result<Child> {
    let counted_by = plan_in_force();
    let _gated = gate(Op::Spawn, Path::new(cmd.get_program()))?;
    super::imp::spawn_counted(counted_by, || cmd.spawn())
}

pub(crate) fn output(cmd: &mut Command) -> io::Result<Output> {
    let counted_by = plan_in_force();
    let _gated = gate(Op::Spawn, Path::new(cmd.get_program()))?;
    super::imp::spawn_counted(counted_by, || cmd.output())
}

/// Spawning a tokio command, behind the gate as std's spawns are.
#[cfg(feature = "tokio")]
pub(crate) fn spawn_tokio(
    cmd: &mut ::tokio::process::Command,
) -> io::Result<::tokio::process::Child> {
    let counted_by = plan_in_force();
    let _gated = gate(Op::Spawn, Path::new(cmd.as_std().get_program()))?;
    super::imp::spawn_counted(counted_by, || cmd.spawn())
}

pub(crate) fn status(cmd: &mut Command) -> io::Result<ExitStatus> {
    let counted_by = plan_in_force();
    let _gated = gate(Op::Spawn, Path::new(cmd.get_program()))?;
    super::imp::spawn_counted(counted_by, || cmd.status())
}

/// What names the file a command will exec, copied out of it so that it
/// can be resolved after a failed attempt (when the command is borrowed by
/// the retry) and only then.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    name: OsString,
    cwd: Option<PathBuf>,
    /// The command's own `PATH`: `Some(None)` if it removed it.
    path_env: Option<Option<OsString>>,
}

impl Program {
    pub(crate) fn of(cmd: &Command) -> Program {
        Program {
            name: cmd.get_program().to_owned(),
            cwd: cmd.get_current_dir().map(Path::to_owned),
            path_env: cmd
                .get_envs()
                .find(|(k, _)| *k == "PATH")
                .map(|(_, v)| v.map(OsStr::to_owned)),
        }
    }

    /// The file, resolved as the spawn will: a program with a separator is
    /// a path (relative to the command's `current_dir`, where the child
    /// runs it from); a bare name is looked up in the command's `PATH` if it
    /// sets one, else in ours, skipping files without an execute bit. `None` if nothing is found, or the command
    /// removed `PATH`: then there is nothing to watch.
    ///
    /// The lookups don't consult the fault plan: they only decide which file
    /// a retry watches, and setting the watch does ([`super::CloseWaker`]).
    pub(crate) fn resolve(&self) -> Option<PathBuf> {
        let program = Path::new(&self.name);
        if program.components().count() > 1 || program.is_absolute() {
            return Some(match &self.cwd {
                Some(dir) if program.is_relative() => dir.join(program),
                _ => program.to_owned(),
            });
        }
        let path = match &self.path_env {
            Some(Some(v)) => v.clone(),
            Some(None) => return None,
            None => std::env::var_os("PATH")?,
        };
        search_path(self.name.as_os_str(), &path, None)
    }
}

/// The program `name` is on `path`, as the OS looks for it: the first
/// regular file with an execute bit (as execvp: one without is skipped,
/// EACCES), trying `name.exe` before `name` on Windows, as std does; the
/// directory `skip`, if given, left out. Not gated: it only reads.
pub(crate) fn search_path(name: &OsStr, path: &OsStr, skip: Option<&Path>) -> Option<PathBuf> {
    let suffix = std::env::consts::EXE_SUFFIX;
    let mut names = Vec::with_capacity(2);
    let lower = name.to_string_lossy().to_ascii_lowercase();
    if !suffix.is_empty() && !lower.ends_with(suffix) {
        let mut with = name.to_owned();
        with.push(suffix);
        names.push(with);
    }
    names.push(name.to_owned());
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty() && Some(dir.as_path()) != skip)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && super::imp::mode_of(&m) & 0o111 != 0)
        })
}
