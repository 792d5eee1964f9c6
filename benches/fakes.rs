//! What fake commands cost, as ratios measured in one run.
//!
//! - A call: `Command::status()` of a fake that answers from a rule, beside
//!   the same spawn of `/bin/true`, and of the `#!/bin/sh` fake a test would
//!   write by hand (which appends its arguments to a log: the least a
//!   recording fake does). Target: a fake call at most 2x `/bin/true`.
//! - A fake with a sequence (each call claims a step file): same, printed.
//! - `FakeDir::new()` plus one fake, after the first in the process.
//!   Target: at most 5 ms.
//! - The first `FakeDir::new()` plus one fake in a process, with no cached
//!   shim: extraction next to the executable and the self-test included.
//!   Measured in fresh child processes of this bench. Target: at most 50 ms.
//! - The shim's size (target: under 1 MiB).
//! - How late `wait_for_calls` and `wait_for_finished` return: the time
//!   from an event-driven observer seeing the call (a thread blocked on the
//!   fake's stdout pipe for a start, on `waitpid` for an end) to the wait's
//!   return. Signed: the record exists a little before the observer can
//!   see it, so a wait that is woken by the record itself can return first.
//!
//! ```text
//! cargo bench --bench fakes [-- --rounds 15 --calls 40 --waits 40]
//! cargo bench --bench fakes -- --waits-only
//! ```

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Case, flag, measure, verdict};
use flakeproof::fake::{AfterLast, ArgMatch, FakeDir, Reply};

const FIRST: &str = "FLAKEPROOF_BENCH_FIRST_FAKEDIR";

fn run(cmd: &mut Command) {
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("spawn");
    assert!(status.success(), "{cmd:?}: {status}");
}

/// In a child: remove the cached shim, then time the first directory and fake.
fn first_in_process() {
    let exe_dir = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    for e in std::fs::read_dir(&exe_dir).unwrap().flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with("flakeproof-shim-")
        {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let t0 = Instant::now();
    let fakes = FakeDir::new().unwrap();
    fakes.fake("git").install().unwrap();
    let took = t0.elapsed();
    println!("{}", took.as_nanos());
}

/// Microseconds from the observer to the wait's return, one per call:
/// (for starts, for ends). Each call starts `lag` after the waits begin,
/// and ends `lag` after its output; with `spread`, round `i` adds
/// `i * 7 % 20` ms to the lag, so that a poll's phase is not the same in
/// every round.
fn wait_latencies(rounds: usize, lag: Duration, spread: bool) -> (Vec<f64>, Vec<f64>) {
    const LONG: Duration = Duration::from_secs(10);
    let fakes = FakeDir::new().expect("fake dir");
    let tool = fakes.fake("tool").install().unwrap();
    // Output right after the start record; the end once stdin closes.
    tool.when(ArgMatch::any())
        .reply(Reply::stdout("x").echo_stdin())
        .unwrap();
    let us = |later: Instant, earlier: Instant| -> f64 {
        match later.checked_duration_since(earlier) {
            Some(d) => d.as_secs_f64() * 1e6,
            None => -(earlier.duration_since(later).as_secs_f64() * 1e6),
        }
    };
    let (mut starts, mut ends) = (Vec::new(), Vec::new());
    for n in 1..=rounds {
        let path = tool.path();
        let lag = lag + Duration::from_millis(if spread { (n as u64 * 7) % 20 } else { 0 });
        // The caller and observer: the first byte of stdout (written right
        // after the start record) and the reaped exit (after the end record
        // and the lock's release).
        let observer = std::thread::spawn(move || {
            std::thread::sleep(lag);
            let mut child = Command::new(path)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut byte = [0u8];
            child
                .stdout
                .as_mut()
                .unwrap()
                .read_exact(&mut byte)
                .unwrap();
            let seen = Instant::now();
            std::thread::sleep(lag);
            drop(child.stdin.take());
            child.wait().unwrap();
            (seen, Instant::now())
        });
        fakes.wait_for_calls(n, LONG).unwrap();
        let started = Instant::now();
        fakes.wait_for_finished(n, LONG).unwrap();
        let finished = Instant::now();
        let (seen, reaped) = observer.join().unwrap();
        starts.push(us(started, seen));
        ends.push(us(finished, reaped));
    }
    (starts, ends)
}

fn print_latencies(what: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what:<20} min {:>8.0} us  median {:>8.0} us  p90 {:>8.0} us  max {:>8.0} us",
        v[0],
        at(0.5),
        at(0.9),
        v[v.len() - 1]
    );
}

fn main() {
    if std::env::var_os(FIRST).is_some() {
        return first_in_process();
    }
    let rounds = flag("--rounds", 15) as usize;
    let calls = flag("--calls", 40);
    let waits = flag("--waits", 40) as usize;
    println!("waits: {waits} calls each, from the observer's wake-up to the wait's return");
    for (lag, spread) in [(Duration::ZERO, false), (Duration::from_millis(30), true)] {
        let (starts, ends) = wait_latencies(waits, lag, spread);
        match spread {
            false => println!("a call at once, ending at once:"),
            true => {
                println!("a call 30-49 ms after the wait began, ending as long after its output:")
            }
        }
        print_latencies("  wait_for_calls", starts);
        print_latencies("  wait_for_finished", ends);
    }
    if std::env::args().any(|a| a == "--waits-only") {
        return;
    }
    println!();

    let fakes = FakeDir::new().expect("fake dir");
    let plain = fakes.fake("plain").install().unwrap();
    plain.when(ArgMatch::any()).reply(Reply::success()).unwrap();
    let seq = fakes.fake("seq").install().unwrap();
    seq.when(ArgMatch::any())
        .replies([Reply::success(), Reply::success()], AfterLast::Cycle)
        .unwrap();
    let script_dir = tempfile::tempdir().unwrap();
    let log = script_dir.path().join("log");
    let script = flakeproof::install_executable_stub(
        script_dir.path(),
        "sh-fake",
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexit 0\n",
            log.display()
        ),
    )
    .unwrap();
    let (plain_path, seq_path) = (plain.path(), seq.path());

    let mut cases = vec![
        Case {
            name: "spawn /bin/true",
            run: Box::new(|n| (0..n).for_each(|_| run(&mut Command::new("/bin/true")))),
        },
        Case {
            name: "fake, one rule",
            run: Box::new(|n| (0..n).for_each(|_| run(Command::new(&plain_path).arg("x")))),
        },
        Case {
            name: "fake, a sequence",
            run: Box::new(|n| (0..n).for_each(|_| run(Command::new(&seq_path).arg("x")))),
        },
        Case {
            name: "#!/bin/sh fake",
            run: Box::new(|n| (0..n).for_each(|_| run(Command::new(&script).arg("x")))),
        },
    ];
    let ns = measure(&mut cases, rounds, calls);
    let base = ns[0];
    println!("calls: median of {rounds} rounds of {calls} calls each");
    println!("{:<22} {:>10} {:>8}", "case", "us/call", "ratio");
    for (case, n) in cases.iter().zip(&ns) {
        println!("{:<22} {:>10.1} {:>7.2}x", case.name, n / 1e3, n / base);
    }
    let call_ratio = ns[1] / base;
    println!(
        "target: a fake call <= 2x a spawn of /bin/true: {:.2}x, {}",
        call_ratio,
        verdict(call_ratio <= 2.0)
    );
    println!(
        "        the #!/bin/sh fake costs {:.2}x /bin/true, {:.2}x the fake",
        ns[3] / base,
        ns[3] / ns[1]
    );

    let mut make = vec![Case {
        name: "FakeDir::new() + 1 fake",
        run: Box::new(|n| {
            for _ in 0..n {
                let d = FakeDir::new().unwrap();
                d.fake("git").install().unwrap();
            }
        }),
    }];
    let made = measure(&mut make, rounds, 10)[0];
    println!(
        "\nFakeDir::new() + one fake, after the first: {:.2} ms (target <= 5 ms: {}; the drop that removes it is included)",
        made / 1e6,
        verdict(made <= 5e6)
    );

    let mut firsts: Vec<f64> = (0..5)
        .map(|_| {
            let out = Command::new(std::env::current_exe().unwrap())
                .env(FIRST, "1")
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout)
                .unwrap()
                .trim()
                .parse::<f64>()
                .unwrap()
        })
        .collect();
    firsts.sort_by(f64::total_cmp);
    let first = firsts[2];
    println!(
        "the first in a process (extraction + self-test), median of 5 fresh processes: {:.2} ms (target <= 50 ms: {})",
        first / 1e6,
        verdict(first <= 50e6)
    );

    let size = std::fs::metadata(&plain_path).unwrap().len();
    println!(
        "the shim: {} bytes ({:.0} KiB; target < 1 MiB: {})",
        size,
        size as f64 / 1024.0,
        verdict(size < 1 << 20)
    );
}
