//! The `flakeproof` command: the library's child fault plans and its
//! shield for any program, in any language, with no code change; and what
//! this machine gives them. Arguments here; each subcommand in a file of its own.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod crates;
mod doctor;
mod exit;
mod run;
mod scan;
mod shield;
mod stress;
mod sweep;
mod term;
mod walk;

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
        /// Shield the tree too (see `flakeproof shield`): the plan decides
        /// each call first; an exec it lets go on is held while its file
        /// has a writer. One listener serves both.
        #[arg(long)]
        shield: bool,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
        cmd: Vec<OsString>,
    },
    /// Fail each call RULE matches in turn, one run of CMD per call, and
    /// report the points CMD did not recover from.
    ///
    /// Before every run (and a first, clean one) `--setup` resets the state;
    /// after it, `--check` judges the result (for instance: the output is
    /// the old file or the new one, never torn), and each `--watch`
    /// directory is compared with what the clean run left (debris: temp
    /// files, half-written outputs). Runs go on until one no longer reaches
    /// the rule. A rule no run reaches is an error: nothing was tested.
    #[command(after_help = SWEEP_EXAMPLES)]
    Sweep {
        /// One rule without a trigger (the sweep sets @1, @2 ...):
        /// 'write(*/out*)=EIO'.
        #[arg(value_name = "RULE")]
        rule: String,
        /// Run before each point, and before the clean run: `sh -c SETUP`.
        #[arg(long, value_name = "SETUP")]
        setup: Option<String>,
        /// Run after each point, unfaulted: `sh -c CHECK`; non-zero means the
        /// point was not recovered from.
        #[arg(long, value_name = "CHECK")]
        check: Option<String>,
        /// A directory whose new entries, beyond a clean run's, are debris.
        #[arg(long, value_name = "DIR")]
        watch: Vec<PathBuf>,
        /// Stop after this many points.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        max: u64,
        /// Print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
        cmd: Vec<OsString>,
    },
    /// Run a command many times, several at once, to show a flake is real
    /// (and later that a fix holds).
    ///
    /// Reports runs, failures (a non-zero exit), the failure rate with its
    /// 95 % interval, the failures' stderr grouped by signature ("Text file
    /// busy" x 37), and durations. Each run finds its index in
    /// FLAKEPROOF_STRESS_RUN. Exits 1 if any run failed. On a terminal, a
    /// progress line counts the runs and colour marks the failures
    /// (NO_COLOR turns colour off); piped output has neither.
    #[command(after_help = STRESS_EXAMPLES)]
    Stress {
        /// How many runs in all.
        #[arg(short = 'n', long, value_name = "RUNS", default_value_t = 100)]
        runs: u64,
        /// How many run at once.
        #[arg(short = 'j', long, value_name = "JOBS", default_value_t = 2)]
        jobs: usize,
        /// Busy threads in flakeproof beside the runs: scheduling pressure
        /// (fewer free cores, later wake-ups). They hold none of CMD's
        /// descriptors, so they can't widen CMD's own ETXTBSY window; a race
        /// inside CMD needs CMD's own threads.
        #[arg(long, value_name = "THREADS", default_value_t = 0)]
        cpu_pressure: usize,
        /// Stop at the first failure, and print its stderr.
        #[arg(long)]
        until_fail: bool,
        /// Print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
        cmd: Vec<OsString>,
    },
    /// Run a command with no "Text file busy" anywhere in its process tree:
    /// each exec whose file still has a writer is held until the writer
    /// closes it, then goes on. Nothing is retried or re-run.
    ///
    /// For suites in any language that write a script or a binary and run
    /// it while other threads fork (Go, Python, Rust, Node alike). Only
    /// exec calls leave the kernel for flakeproof; the rest run at full
    /// speed. At exit, one line on stderr: execs seen, held, the longest
    /// hold, and any the budget let go (the kernel then answered ETXTBSY,
    /// as it would have). The exit status is CMD's.
    ///
    /// The tree runs with no-new-privs (the kernel's rule for a seccomp
    /// filter): setuid programs in it get no privileges, and sudo refuses
    /// to run. Inside it, `flakeproof run` and child fault plans can't
    /// attach (one seccomp listener per tree) and say so.
    #[command(after_help = SHIELD_EXAMPLES)]
    Shield {
        /// How long one exec may be held: 500ms, 5s, 2m (default 5s).
        #[arg(long, value_name = "DURATION")]
        budget: Option<String>,
        /// Write the report to FILE as one JSON object.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Print the report as one JSON object (on stderr) instead of text.
        #[arg(long)]
        json: bool,
        /// Where the shield can't work here, run CMD anyway, unshielded,
        /// with a warning (default: refuse, 123 or 124, CMD not run).
        #[arg(long)]
        allow_unshielded: bool,
        /// The command and its arguments.
        #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
        cmd: Vec<OsString>,
    },
    /// Find the flaky write-then-exec and in-place-copy sites in Rust code
    /// before CI does.
    ///
    /// Reads every `.rs` file under PATHS (default: the current directory;
    /// `target/` and hidden directories skipped) with syn and reports, per
    /// finding, the rule, the place, the line, what can go wrong and the
    /// fix with flakeproof's API. Rules: write-then-exec,
    /// shell-script-stub, hand-rolled-etxtbsy-retry, in-place-replace,
    /// unretried-windows-fs (docs/scan.md). Silence one site with a comment
    /// on its line or just above: `// flakeproof: allow(RULE) reason`.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan {
        /// Files or directories to scan.
        #[arg(value_name = "PATHS")]
        paths: Vec<PathBuf>,
        /// Print one JSON object on stdout: findings, parse errors, counts.
        #[arg(long, conflicts_with = "sarif")]
        json: bool,
        /// Print a SARIF 2.1.0 log on stdout (for code-scanning services).
        #[arg(long)]
        sarif: bool,
        /// Rewrite hand-rolled ETXTBSY retry loops around a spawn into the
        /// retrying spawn (`SpawnRetryExt`), in place; the rest stay findings.
        #[arg(long)]
        fix: bool,
        /// Treat every file as built for Windows, not only those whose
        /// cfgs, or whose crate, say so (a crate is built for Windows when
        /// its Cargo.toml targets Windows or a file of it names Windows in
        /// a cfg); a file whose path names another OS (`unix.rs`,
        /// `linux/`) still is not.
        #[arg(long)]
        windows: bool,
        /// Threads scanning files (default: one per core).
        #[arg(short = 'j', long, value_name = "N")]
        jobs: Option<usize>,
        /// Skip this file or directory (as the paths are given: `--exclude
        /// tests/corpus`); repeatable. For code kept flaky on purpose, such
        /// as a linter's own test inputs.
        #[arg(long, value_name = "PATH")]
        exclude: Vec<PathBuf>,
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

const SWEEP_EXAMPLES: &str = "\
Example:
  # a script that rewrites `out` in place: the sweep finds the torn points
  flakeproof sweep 'write(*/out*)=EIO' --setup 'printf old > out' \\
    --check 'test \"$(cat out)\" = old || test \"$(cat out)\" = new' --watch . -- ./save.sh
";

const STRESS_EXAMPLES: &str = "\
Example:
  # a test binary whose threads write scripts and run them: how often does it flake?
  flakeproof stress -n 200 -j 4 -- cargo test -q --test installs
";

const SCAN_EXAMPLES: &str = "\
Examples:
  flakeproof scan                       # the current directory
  flakeproof scan tests/ examples/ --json
  flakeproof scan --sarif > scan.sarif  # for code scanning
  flakeproof scan --fix src/            # retry loops around a spawn -> status_retrying() etc.

Exit status: 0 nothing found; 1 findings; 3 a file did not parse or could not be read (named,
the rest scanned); 2 bad arguments or a path that does not exist.
";

const SHIELD_EXAMPLES: &str = "\
Examples:
  flakeproof shield -- cargo test
  flakeproof shield --budget 10s --report shield.json -- go test ./...
  flakeproof shield -- python3 -m pytest -x
  # as nextest's wrapper script (.config/nextest.toml):
  #   [scripts.wrapper.shield]
  #   command = 'flakeproof shield --'
  #   [[profile.default.scripts]]
  #   filter = 'all()'
  #   run-wrapper = 'shield'
";

fn main() -> ExitCode {
    // `flakeproof doctor | head` ends quietly, as Unix tools do, instead
    // of panicking on EPIPE (Rust's runtime ignores SIGPIPE; CMD gets the
    // default back from std's spawn either way).
    // SAFETY: signal() with a constant disposition, before any thread.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    match Cli::parse().command {
        Command::Run {
            faults,
            record,
            json,
            shield,
            cmd,
        } => run::run(&faults, record.as_deref(), json, shield, &cmd),
        Command::Sweep {
            rule,
            setup,
            check,
            watch,
            max,
            json,
            cmd,
        } => sweep::sweep(&sweep::Options {
            rule: &rule,
            setup: setup.as_deref(),
            check: check.as_deref(),
            watch: &watch,
            max,
            json,
            cmd: &cmd,
        }),
        Command::Stress {
            runs,
            jobs,
            cpu_pressure,
            until_fail,
            json,
            cmd,
        } => stress::stress(&stress::Options {
            runs,
            jobs,
            pressure: cpu_pressure,
            until_fail,
            json,
            cmd: &cmd,
        }),
        Command::Shield {
            budget,
            report,
            json,
            allow_unshielded,
            cmd,
        } => shield::shield(&shield::Options {
            budget: budget.as_deref(),
            report: report.as_deref(),
            json,
            allow_unshielded,
            cmd: &cmd,
        }),
        Command::Scan {
            paths,
            json,
            sarif,
            fix,
            windows,
            jobs,
            exclude,
        } => scan::scan(&scan::Options {
            paths: &paths,
            json,
            sarif,
            fix,
            windows,
            jobs,
            exclude: &exclude,
        }),
        Command::Doctor => doctor::doctor(),
    }
}
