//! The `flakeproof` command: the library's child fault plans for any
//! program, in any language, with no code change; and what this machine
//! gives them. Arguments here; each subcommand in a file of its own.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod doctor;
mod exit;
mod run;

/// Fault plans for whole process trees, from the command line.
#[derive(Parser)]
#[command(name = "flakeproof", version, about, long_about = None)]
#[command(after_help = exit::STATUSES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a command with a fault plan attached to its whole process tree.
    ///
    /// Every process CMD starts is under the plan: its system calls that the
    /// plan names are failed or delayed by the kernel, as the plan says
    /// (Linux: seccomp user notification). At exit, a summary on stderr:
    /// the calls failed or delayed, and how many consulted the plan. The
    /// exit status is CMD's (a signal: 128 + its number).
    #[command(after_help = RUN_EXAMPLES)]
    Run {
        /// The plan, in the `fault` module's grammar: `op(glob)=action@trigger`,
        /// rules joined by `;`. Example: 'rename(*/target/*)=EBUSY@1'.
        #[arg(long, value_name = "PLAN")]
        faults: String,
        /// Write every call that consulted the plan to FILE, one JSON object
        /// a line (op, path, outcome, errno, pid, exe).
        #[arg(long, value_name = "FILE")]
        record: Option<PathBuf>,
        /// Print the summary as one JSON object (on stderr) instead of text.
        #[arg(long)]
        json: bool,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
        cmd: Vec<OsString>,
    },
    /// What this machine gives flakeproof, one line each, with what
    /// degrades without it. Exits 0 when `run` can work here.
    #[command(after_help = "Example:\n  flakeproof doctor")]
    Doctor,
}

const RUN_EXAMPLES: &str = "\
Examples:
  # mv's rename onto target/ fails once with EBUSY, as on a busy Windows share:
  flakeproof run --faults 'rename(*/target/*)=EBUSY@1' -- mv a target/b
  # every exec of a stub fails twice with ETXTBSY, wherever the suite runs it:
  flakeproof run --faults 'spawn(*/stub-*)=ETXTBSY@1..2' --record calls.jsonl -- cargo test
";

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run {
            faults,
            record,
            json,
            cmd,
        } => run::run(&faults, record.as_deref(), json, &cmd),
        Command::Doctor => doctor::doctor(),
    }
}
