//! `verify()`'s judgement: which calls no rule answered (each with the rule
//! closest to it) and which rules answered no call, and [`Unmet`], the
//! report a test fails with. Pure: it is given the calls and the specs.

use std::fmt;

use super::error::FakeError;
use super::invocation::Invocation;
use super::state::FakeState;
use super::wire::{Match, os};

/// Checks `calls` against the rules of `fakes`: `Ok` when every call was
/// answered by a rule and every rule not marked optional answered one.
pub(super) fn check(calls: &[Invocation], fakes: &[FakeState]) -> Result<(), Unmet> {
    let mut report = String::new();
    let unexpected: Vec<Invocation> = calls
        .iter()
        .filter(|c| c.is_unexpected())
        .cloned()
        .collect();
    for call in &unexpected {
        report.push_str(&format!("unexpected call: {call}\n"));
        let fake = fakes.iter().find(|f| f.spec.name == call.fake);
        let args: Vec<Vec<u8>> = call.args.iter().map(|a| os::to_bytes(a)).collect();
        let closest = fake.and_then(|f| {
            f.spec
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| (distance(&r.matcher, &args), i, r))
                .min_by_key(|&(d, i, _)| (d, i))
        });
        match closest {
            Some((0, i, _)) => report.push_str(&format!(
                "    rule {i} matches it, but its replies were used up\n"
            )),
            Some((d, i, r)) => report.push_str(&format!(
                "    closest: {} rule {i}, {} ({d} argument{} off)\n",
                call.fake,
                describe(&r.matcher),
                if d == 1 { "" } else { "s" }
            )),
            None => report.push_str(&format!("    {} has no rules\n", call.fake)),
        }
    }
    let mut unused = Vec::new();
    for f in fakes {
        for (i, r) in f.spec.rules.iter().enumerate() {
            let used = calls
                .iter()
                .any(|c| c.fake == f.spec.name && c.rule == Some(i));
            if !used && !f.optional[i] {
                report.push_str(&format!(
                    "unused rule: {} rule {i}, {}\n",
                    f.spec.name,
                    describe(&r.matcher)
                ));
                unused.push((f.spec.name.clone(), i));
            }
        }
    }
    if unexpected.is_empty() && unused.is_empty() {
        return Ok(());
    }
    let header = format!(
        "flakeproof fakes: {} unexpected call{}, {} unused rule{} (of {} calls)\n",
        unexpected.len(),
        if unexpected.len() == 1 { "" } else { "s" },
        unused.len(),
        if unused.len() == 1 { "" } else { "s" },
        calls.len()
    );
    Err(Unmet {
        unexpected,
        unused,
        report: header + &report,
        io: None,
    })
}

/// What a rule matches, as `verify()` shows it.
fn describe(m: &Match) -> String {
    let list = |v: &[Vec<u8>]| {
        v.iter()
            .map(|a| format!("{:?}", os::from_bytes(a.clone())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match m {
        Match::Any => "any arguments".into(),
        Match::Exact(v) => format!("exactly [{}]", list(v)),
        Match::Prefix(v) => format!("starting [{}]", list(v)),
        Match::Contains(v) => format!("containing [{}]", list(v)),
    }
}

/// How far a call's arguments are from what a rule asks: argument-level
/// edits (insert, remove, replace one argument). 0 means it matches.
fn distance(m: &Match, args: &[Vec<u8>]) -> usize {
    match m {
        Match::Any => 0,
        Match::Exact(want) => edits(want, args),
        // Compare the prefix with the same number of leading arguments
        // (or all of them, if fewer).
        Match::Prefix(want) => edits(want, &args[..want.len().min(args.len())]),
        Match::Contains(want) => want.iter().filter(|w| !args.contains(w)).count(),
    }
}

fn edits(a: &[Vec<u8>], b: &[Vec<u8>]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What [`FakeDir::verify`](super::FakeDir::verify) found wrong: calls no
/// rule answered (each with the rule closest to it) and rules no call used.
/// Its `Display` is the full report, meant to be a test's failure message.
///
/// ```
/// use flakeproof::fake::{ArgMatch, FakeDir, Reply};
/// let fakes = FakeDir::new()?;
/// let git = fakes.fake("git").install()?;
/// git.when(ArgMatch::exact(["status", "--short"])).reply(Reply::success())?;
/// std::process::Command::new(git.path()).args(["status", "-s"]).status()?;
/// let unmet = fakes.verify().unwrap_err();
/// assert_eq!(unmet.unexpected.len(), 1);
/// assert_eq!(unmet.unused.len(), 1);
/// let report = unmet.to_string();
/// assert!(report.contains(r#"closest: git rule 0, exactly ["status", "--short"] (1 argument off)"#), "{report}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Unmet {
    /// Calls no rule answered, in call order.
    pub unexpected: Vec<Invocation>,
    /// Rules that answered no call, as `(fake, rule index)`.
    pub unused: Vec<(String, usize)>,
    report: String,
    /// The OS error, when the records could not be read at all.
    io: Option<std::io::Error>,
}

impl Unmet {
    /// The records could not be read: nothing can be judged.
    pub(super) fn unreadable(e: FakeError) -> Unmet {
        Unmet {
            unexpected: Vec::new(),
            unused: Vec::new(),
            report: format!("flakeproof fakes: can't read the records: {e}"),
            io: Some(e.into_io_error()),
        }
    }

    /// The OS error that kept the records from being read, with its
    /// `raw_os_error()` and `kind()`; `None` when they were read and found
    /// wanting.
    ///
    /// ```
    /// # use flakeproof::fake::FakeDir;
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;   // no rules
    /// std::process::Command::new(tool.path()).status()?;
    /// assert!(fakes.verify().unwrap_err().io_error().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn io_error(&self) -> Option<&std::io::Error> {
        self.io.as_ref()
    }
}

impl fmt::Display for Unmet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report)
    }
}

impl std::error::Error for Unmet {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io.as_ref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::invocation::RunState;
    use crate::fake::wire::{self, AfterLast, Finish, Rule, Spec, Start, Taken};
    use std::ffi::OsStr;

    fn a(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| os::to_bytes(OsStr::new(s))).collect()
    }

    fn reply() -> wire::Reply {
        wire::Reply {
            delay_us: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            echo_stdin: false,
            hang: false,
            finish: Finish::Exit(0),
        }
    }

    /// A fake with these rules, `(matcher, optional)`.
    fn fake(name: &str, rules: Vec<(Match, bool)>) -> FakeState {
        FakeState {
            optional: rules.iter().map(|r| r.1).collect(),
            spec: Spec {
                fake: 0,
                name: name.into(),
                rules: rules
                    .into_iter()
                    .map(|(matcher, _)| Rule {
                        matcher,
                        steps: vec![reply()],
                        after_last: AfterLast::RepeatLast,
                    })
                    .collect(),
                otherwise: reply(),
                env_keys: Vec::new(),
                stdin_cap: None,
            },
            path: name.into(),
            real: None,
        }
    }

    /// Call `number` of `name` with `args`, answered by `rule`.
    fn call(number: u64, name: &str, args: &[&str], rule: Option<u32>) -> Invocation {
        let start = Start {
            name: name.into(),
            argv0: a(&[name]).remove(0),
            args: a(args),
            cwd: None,
            env: Vec::new(),
            pid: 1,
            taken: rule.map(|rule| Taken { rule, step: 0 }),
            live: String::new(),
        };
        Invocation::new(number, start, RunState::Exited(0))
    }

    #[test]
    fn every_call_answered_and_every_rule_used_is_ok() {
        let fakes = [fake("git", vec![(Match::Prefix(a(&["push"])), false)])];
        let calls = [call(1, "git", &["push", "-f"], Some(0))];
        check(&calls, &fakes).unwrap();
        check(&[], &[fake("git", vec![(Match::Any, true)])])
            .expect("an optional rule may go unused");
    }

    #[test]
    fn an_unused_rule_is_reported_unless_optional() {
        let fakes = [
            fake(
                "git",
                vec![(Match::Exact(a(&["pull"])), false), (Match::Any, true)],
            ),
            fake("cc", vec![(Match::Any, false)]),
        ];
        let calls = [call(1, "git", &["status"], Some(1))];
        let unmet = check(&calls, &fakes).unwrap_err();
        assert!(unmet.unexpected.is_empty());
        assert_eq!(
            unmet.unused,
            [("git".to_string(), 0), ("cc".to_string(), 0)]
        );
        assert!(unmet.io_error().is_none());
        let report = unmet.to_string();
        assert!(
            report
                .starts_with("flakeproof fakes: 0 unexpected calls, 2 unused rules (of 1 calls)\n"),
            "{report}"
        );
        assert!(
            report.contains("unused rule: git rule 0, exactly [\"pull\"]\n"),
            "{report}"
        );
        assert!(
            report.contains("unused rule: cc rule 0, any arguments\n"),
            "{report}"
        );
        assert!(
            !report.contains("git rule 1"),
            "the optional rule: {report}"
        );
    }

    #[test]
    fn an_unexpected_call_is_reported_with_its_closest_rule() {
        let fakes = [
            fake(
                "git",
                vec![
                    (Match::Exact(a(&["status", "--short"])), false),
                    (Match::Prefix(a(&["push"])), true),
                    (Match::Contains(a(&["--force"])), true),
                ],
            ),
            fake("cc", vec![]),
        ];
        let calls = [
            call(1, "git", &["status", "--short"], Some(0)),
            call(2, "git", &["status", "-s"], None),
            call(3, "git", &["push", "origin"], None), // matches, sequence used up
            call(4, "cc", &["-c"], None),
        ];
        let unmet = check(&calls, &fakes).unwrap_err();
        let numbers: Vec<u64> = unmet.unexpected.iter().map(|c| c.number).collect();
        assert_eq!(numbers, [2, 3, 4]);
        assert!(unmet.unused.is_empty());
        let report = unmet.to_string();
        assert!(
            report
                .starts_with("flakeproof fakes: 3 unexpected calls, 0 unused rules (of 4 calls)\n"),
            "{report}"
        );
        let expected = [
            "unexpected call: #2 git \"status\" \"-s\" -> exit 0",
            "    closest: git rule 0, exactly [\"status\", \"--short\"] (1 argument off)",
            "unexpected call: #3 git \"push\" \"origin\" -> exit 0",
            "    rule 1 matches it, but its replies were used up",
            "unexpected call: #4 cc \"-c\" -> exit 0",
            "    cc has no rules",
        ];
        assert_eq!(report.lines().skip(1).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn unreadable_records_keep_the_os_error() {
        let e = FakeError::new(
            "reading the records in /x",
            std::io::Error::from_raw_os_error(13),
        );
        let unmet = Unmet::unreadable(e);
        assert_eq!(unmet.io_error().and_then(|e| e.raw_os_error()), Some(13));
        assert!(
            unmet.to_string().contains("can't read the records"),
            "{unmet}"
        );
        assert!(std::error::Error::source(&unmet).is_some());
    }

    #[test]
    fn distance_counts_argument_edits() {
        let exact = Match::Exact(a(&["status", "--short"]));
        assert_eq!(distance(&exact, &a(&["status", "--short"])), 0);
        assert_eq!(distance(&exact, &a(&["status", "-s"])), 1);
        assert_eq!(distance(&exact, &a(&["status"])), 1);
        assert_eq!(distance(&exact, &a(&[])), 2);
        let prefix = Match::Prefix(a(&["push"]));
        assert_eq!(distance(&prefix, &a(&["push", "-f"])), 0);
        assert_eq!(distance(&prefix, &a(&["pull", "-f"])), 1);
        let contains = Match::Contains(a(&["-f", "-q"]));
        assert_eq!(distance(&contains, &a(&["x", "-q"])), 1);
    }
}
