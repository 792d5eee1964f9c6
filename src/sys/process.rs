//! Spawning, behind the fault gate as [`Op::Spawn`] on the program.

use std::io;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output};

use crate::classify::Op;
use crate::fault::gate;

pub(crate) fn spawn(cmd: &mut Command) -> io::Result<Child> {
    gate(Op::Spawn, Path::new(cmd.get_program()))?;
    cmd.spawn()
}

pub(crate) fn output(cmd: &mut Command) -> io::Result<Output> {
    gate(Op::Spawn, Path::new(cmd.get_program()))?;
    cmd.output()
}

pub(crate) fn status(cmd: &mut Command) -> io::Result<ExitStatus> {
    gate(Op::Spawn, Path::new(cmd.get_program()))?;
    cmd.status()
}
