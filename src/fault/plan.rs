//! Fault plans as data, and the decision for one call. Pure: the time comes
//! in as an argument, randomness from each rule's own seed.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::classify::Op;
use crate::os::Os;
use crate::rng::{SplitMix64, unit_interval};

/// An error to inject: its raw OS code, and the name it was given by (if any),
/// so that `Display` gives back what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Errno {
    pub(crate) code: i32,
    pub(crate) name: Option<&'static str>,
}

/// Which calls a rule counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Trigger {
    /// Every matching call.
    Always,
    /// The `from`-th to the `to`-th matching call, counting from 1
    /// (strace's `when=from..to`); open-ended without `to`.
    Calls { from: u64, to: Option<u64> },
    /// Every `n`-th matching call: n, 2n, 3n ...
    Every(u64),
    /// Each matching call with probability `p`, drawn from the rule's own
    /// generator seeded with `seed`: same calls, same faults.
    Chance { p: f64, seed: u64 },
}

/// What a firing rule does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Action {
    /// Fail with the error, without making the call.
    Fail(Errno),
    /// Sleep, then make the call (a slow disk).
    Delay(Duration),
    /// Fail with the error until `Duration` has passed since the rule first
    /// matched, then pass: the shape of a real transient window.
    Busy(Errno, Duration),
    /// Fail with the error while the plan's handle is held: from the start
    /// if nobody took one, until every one taken has been dropped. A handle
    /// that only a garbage collector (or a retry hook) lets go of.
    Held(Errno),
}

/// Who holds a plan's `held(..)` rules: shared by the plan, its clones,
/// its activations and its handles.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holds(Arc<HoldCount>);

#[derive(Debug, Default)]
struct HoldCount {
    taken: AtomicBool,
    live: AtomicUsize,
}

impl Holds {
    /// One more holder.
    pub(crate) fn take(&self) {
        self.0.taken.store(true, Ordering::SeqCst);
        self.0.live.fetch_add(1, Ordering::SeqCst);
    }

    /// One holder fewer.
    pub(crate) fn release(&self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }

    /// Held: never let go of (no handle was taken), or a handle lives.
    fn held(&self) -> bool {
        !self.0.taken.load(Ordering::SeqCst) || self.0.live.load(Ordering::SeqCst) > 0
    }
}

/// Whose calls one counter of a rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Per {
    /// One counter for every process under the plan: the test process and
    /// every process of every child tree the plan is attached to (`per=tree`,
    /// the default).
    #[default]
    Tree,
    /// A counter for each process (`per=process`): "the first rename of
    /// every process" rather than "the first rename anywhere".
    Process,
}

/// One rule: (operation, path pattern, action, trigger, counter scope).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    /// `None` matches any operation.
    pub(crate) op: Option<Op>,
    /// `None` matches any path.
    pub(crate) pattern: Option<String>,
    pub(crate) action: Action,
    pub(crate) trigger: Trigger,
    pub(crate) per: Per,
}

impl Rule {
    pub(crate) fn matches(&self, op: Op, path: &str) -> bool {
        // `spawn` is every start of a program: this process's spawns and
        // the execs in a child tree under the plan; `exec` only the latter.
        self.op
            .is_none_or(|o| o == op || (o == Op::Spawn && op == Op::Exec))
            && self.pattern.as_deref().is_none_or(|g| glob_match(g, path))
    }
}

/// Who made a call, for the rules counted [`Per::Process`] and for
/// probability draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Caller {
    /// Whose counter: 0 for the test process, a child's process id.
    pub(crate) process: u64,
    /// The key of its probability draws, the same on every run: 0 for the
    /// test process, a hash of a child's executable (a process id differs
    /// from run to run).
    pub(crate) key: u64,
}

/// The draw for the `k`-th counted call (from 1) of rule number `rule`, in
/// the counter scope `key`: a function of these four alone, so a decision
/// never depends on which thread asked first, only on the order of the
/// calls a counter counts. For rule 0 and key 0 it is the `k`-th output of
/// SplitMix64 seeded with `seed`.
fn chance_draw(seed: u64, rule: usize, key: u64, k: u64) -> u64 {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    let salt =
        (rule as u64).wrapping_mul(0xD1B5_4A32_D192_ED03) ^ key.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
    SplitMix64((seed ^ salt).wrapping_add(k.wrapping_sub(1).wrapping_mul(GAMMA))).next_u64()
}

/// What to do with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Verdict {
    /// Sleep this long first (the sum of every firing delay rule).
    pub(crate) delay: Duration,
    /// Then fail with this raw code instead of making the call.
    pub(crate) fail: Option<i32>,
}

/// The counters of a plan in use.
#[derive(Debug, Clone)]
pub(crate) struct PlanState {
    rules: Vec<RuleState>,
    holds: Holds,
}

#[derive(Debug, Clone)]
struct RuleState {
    /// Calls counted, for [`Per::Tree`].
    hits: u64,
    /// Calls counted per process, for [`Per::Process`].
    per_process: HashMap<u64, u64>,
    busy_since: Option<Duration>,
}

impl PlanState {
    pub(crate) fn new(rules: &[Rule], holds: Holds) -> Self {
        let rules = rules
            .iter()
            .map(|_| RuleState {
                hits: 0,
                per_process: HashMap::new(),
                busy_since: None,
            })
            .collect();
        PlanState { rules, holds }
    }

    /// Decide one call; `now` gives the time, asked only if a busy rule fires
    /// (a clock read costs ~45 ns on some VMs). Every matching rule counts the
    /// call; delays of all firing rules add up; the first firing failure wins.
    pub(crate) fn decide(
        &mut self,
        rules: &[Rule],
        op: Op,
        path: &str,
        caller: Caller,
        now: impl Fn() -> Duration,
    ) -> Verdict {
        let mut verdict = Verdict::default();
        for (i, (rule, st)) in rules.iter().zip(&mut self.rules).enumerate() {
            if !rule.matches(op, path) {
                continue;
            }
            let (hits, key) = match rule.per {
                Per::Tree => (&mut st.hits, 0),
                Per::Process => (
                    st.per_process.entry(caller.process).or_default(),
                    caller.key,
                ),
            };
            *hits += 1;
            let k = *hits;
            let fires = match rule.trigger {
                Trigger::Always => true,
                Trigger::Calls { from, to } => k >= from && to.is_none_or(|t| k <= t),
                Trigger::Every(n) => k % n == 0,
                // Drawn for every counted call, fired or not, from (seed,
                // rule, scope, k) alone.
                Trigger::Chance { p, seed } => unit_interval(chance_draw(seed, i, key, k)) < p,
            };
            if !fires {
                continue;
            }
            match rule.action {
                Action::Delay(d) => verdict.delay += d,
                Action::Fail(e) => {
                    verdict.fail.get_or_insert(e.code);
                }
                Action::Busy(e, window) => {
                    let now = now();
                    let since = *st.busy_since.get_or_insert(now);
                    if now.saturating_sub(since) < window {
                        verdict.fail.get_or_insert(e.code);
                    }
                }
                Action::Held(e) => {
                    if self.holds.held() {
                        verdict.fail.get_or_insert(e.code);
                    }
                }
            }
        }
        verdict
    }
}

/// `*` matches any run of characters (path separators included), `?` one
/// character; everything else matches itself, except that on Windows a `/`
/// in the pattern matches `\` too (plans are written once for every OS).
/// Iterative with one backtrack point: linear in practice, no recursion to
/// blow up on hostile patterns.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    glob_match_on(Os::CURRENT, pattern, text)
}

pub(crate) fn glob_match_on(os: Os, pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let same = |pc: char, tc: char| pc == tc || (os == Os::Windows && pc == '/' && tc == '\\');
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || same(p[pi], t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUSY: Errno = Errno {
        code: 16,
        name: Some("EBUSY"),
    };

    fn rule(op: Option<Op>, pattern: Option<&str>, action: Action, trigger: Trigger) -> Rule {
        Rule {
            op,
            pattern: pattern.map(str::to_owned),
            action,
            trigger,
            per: Per::Tree,
        }
    }

    fn run(rules: &[Rule], calls: &[(Op, &str)]) -> Vec<Option<i32>> {
        let mut st = PlanState::new(rules, Holds::default());
        calls
            .iter()
            .map(|&(op, p)| {
                st.decide(rules, op, p, Caller::default(), || Duration::ZERO)
                    .fail
            })
            .collect()
    }

    #[test]
    fn glob_matches_like_a_shell_but_star_crosses_slashes() {
        assert!(glob_match("*/stub-*", "/tmp/x/stub-git"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*.tmp", "/a/.b.tmp"));
        assert!(!glob_match("*.tmp", "/a/b.tmpx"));
        assert!(glob_match("**a**b**", "xxaxxbxx"));
        assert!(!glob_match("/exact", "/exact/no"));
        assert!(glob_match("ü*", "über"));
        // A plan written with `/` matches Windows paths; elsewhere `\` is a
        // plain character of a name.
        let win = r"C:\Users\ci\AppData\Local\Temp\.tmpX\dest.txt";
        assert!(glob_match_on(Os::Windows, "*/dest.txt", win));
        assert!(glob_match_on(Os::Windows, "C:/Users/*/dest.txt", win));
        assert!(!glob_match_on(Os::Linux, "*/dest.txt", win));
        assert!(glob_match_on(Os::Linux, r"*\dest.txt", win));
        // A hostile pattern stays fast.
        let long = "a".repeat(5000);
        assert!(!glob_match(&format!("{}b", "*a".repeat(50)), &long));
    }

    #[test]
    fn calls_trigger_counts_matching_calls_only() {
        let r = [rule(
            Some(Op::Spawn),
            Some("*/stub-*"),
            Action::Fail(BUSY),
            Trigger::Calls {
                from: 2,
                to: Some(3),
            },
        )];
        let calls = [
            (Op::Spawn, "/t/stub-a"),
            (Op::Spawn, "/t/other"), // does not match: not counted
            (Op::Rename, "/t/stub-a"),
            (Op::Spawn, "/t/stub-b"),
            (Op::Spawn, "/t/stub-c"),
            (Op::Spawn, "/t/stub-d"),
        ];
        assert_eq!(
            run(&r, &calls),
            [None, None, None, Some(16), Some(16), None]
        );
    }

    #[test]
    fn every_and_open_ended_and_always() {
        let every = [rule(None, None, Action::Fail(BUSY), Trigger::Every(3))];
        let c = [(Op::Write, "x"); 7];
        assert_eq!(
            run(&every, &c),
            [None, None, Some(16), None, None, Some(16), None]
        );
        let open = [rule(
            None,
            None,
            Action::Fail(BUSY),
            Trigger::Calls { from: 6, to: None },
        )];
        assert_eq!(run(&open, &c)[4..], [None, Some(16), Some(16)]);
        let always = [rule(None, None, Action::Fail(BUSY), Trigger::Always)];
        assert!(run(&always, &c).iter().all(|v| *v == Some(16)));
    }

    #[test]
    fn chance_is_reproducible_per_seed_and_near_p() {
        let r = |seed| {
            [rule(
                None,
                None,
                Action::Fail(BUSY),
                Trigger::Chance { p: 0.25, seed },
            )]
        };
        let c = vec![(Op::Write, "x"); 4000];
        let a = run(&r(7), &c);
        assert_eq!(a, run(&r(7), &c));
        assert_ne!(a, run(&r(8), &c));
        let fired = a.iter().filter(|v| v.is_some()).count();
        assert!((900..1100).contains(&fired), "{fired}");
        let never = [rule(
            None,
            None,
            Action::Fail(BUSY),
            Trigger::Chance { p: 0.0, seed: 1 },
        )];
        assert!(run(&never, &c).iter().all(Option::is_none));
        let sure = [rule(
            None,
            None,
            Action::Fail(BUSY),
            Trigger::Chance { p: 1.0, seed: 1 },
        )];
        assert!(run(&sure, &c).iter().all(Option::is_some));
    }

    #[test]
    fn chance_per_process_depends_on_each_process_order_not_the_interleaving() {
        let mut r = rule(
            Some(Op::Rename),
            None,
            Action::Fail(BUSY),
            Trigger::Chance { p: 0.5, seed: 9 },
        );
        r.per = Per::Process;
        let rules = [r];
        let (x, y) = (
            Caller {
                process: 100,
                key: 1,
            },
            Caller {
                process: 200,
                key: 2,
            },
        );
        // The same 40 calls per process, interleaved two ways.
        let decide = |order: &[Caller]| {
            let mut st = PlanState::new(&rules, Holds::default());
            let (mut dx, mut dy) = (Vec::new(), Vec::new());
            for &c in order {
                let v = st
                    .decide(&rules, Op::Rename, "p", c, || Duration::ZERO)
                    .fail;
                if c == x { dx.push(v) } else { dy.push(v) }
            }
            (dx, dy)
        };
        let alternating: Vec<Caller> = (0..40).flat_map(|_| [x, y]).collect();
        let batched: Vec<Caller> = [vec![y; 40], vec![x; 40]].concat();
        let (a, b) = (decide(&alternating), decide(&batched));
        assert_eq!(a, b);
        assert_ne!(a.0, a.1, "processes with different keys draw differently");
        // A process with the same key (the same executable) and another pid
        // draws the same sequence, counted on its own.
        let z = Caller {
            process: 300,
            key: 1,
        };
        let mut st = PlanState::new(&rules, Holds::default());
        let zs: Vec<_> = (0..40)
            .map(|_| {
                st.decide(&rules, Op::Rename, "p", z, || Duration::ZERO)
                    .fail
            })
            .collect();
        assert_eq!(zs, a.0);
    }

    #[test]
    fn a_spawn_rule_matches_the_execs_of_a_child_tree_and_an_exec_rule_only_those() {
        let spawn = rule(
            Some(Op::Spawn),
            Some("*/stub"),
            Action::Fail(BUSY),
            Trigger::Always,
        );
        assert!(spawn.matches(Op::Spawn, "/t/stub") && spawn.matches(Op::Exec, "/t/stub"));
        let exec = rule(Some(Op::Exec), None, Action::Fail(BUSY), Trigger::Always);
        assert!(exec.matches(Op::Exec, "/t/stub") && !exec.matches(Op::Spawn, "/t/stub"));
    }

    #[test]
    fn busy_fails_until_the_window_has_passed_since_first_match() {
        let rules = [rule(
            Some(Op::Rename),
            None,
            Action::Busy(BUSY, Duration::from_millis(50)),
            Trigger::Always,
        )];
        let mut st = PlanState::new(&rules, Holds::default());
        let at = |st: &mut PlanState, ms| {
            st.decide(&rules, Op::Rename, "p", Caller::default(), || {
                Duration::from_millis(ms)
            })
            .fail
        };
        assert_eq!(at(&mut st, 100), Some(16)); // window opens at 100
        assert_eq!(at(&mut st, 149), Some(16));
        assert_eq!(at(&mut st, 150), None);
        assert_eq!(at(&mut st, 10_000), None);
    }

    #[test]
    fn delays_add_up_and_first_failure_wins() {
        let ms = Duration::from_millis;
        let eio = Errno {
            code: 5,
            name: Some("EIO"),
        };
        let rules = [
            rule(
                Some(Op::Write),
                None,
                Action::Delay(ms(20)),
                Trigger::Always,
            ),
            rule(None, None, Action::Delay(ms(5)), Trigger::Always),
            rule(
                Some(Op::Write),
                None,
                Action::Fail(eio),
                Trigger::Calls { from: 2, to: None },
            ),
            rule(None, None, Action::Fail(BUSY), Trigger::Always),
        ];
        let mut st = PlanState::new(&rules, Holds::default());
        let v1 = st.decide(&rules, Op::Write, "f", Caller::default(), || Duration::ZERO);
        assert_eq!(
            v1,
            Verdict {
                delay: ms(25),
                fail: Some(16)
            }
        );
        let v2 = st.decide(&rules, Op::Write, "f", Caller::default(), || Duration::ZERO);
        assert_eq!(
            v2,
            Verdict {
                delay: ms(25),
                fail: Some(5)
            }
        );
        let v3 = st.decide(&rules, Op::Sync, "f", Caller::default(), || Duration::ZERO);
        assert_eq!(
            v3,
            Verdict {
                delay: ms(5),
                fail: Some(16)
            }
        );
    }

    #[test]
    fn held_fails_until_every_handle_taken_is_dropped() {
        let rules = [Rule {
            op: Some(Op::Rename),
            pattern: None,
            action: Action::Held(Errno {
                code: 16,
                name: None,
            }),
            trigger: Trigger::Always,
            per: Per::Tree,
        }];
        let holds = Holds::default();
        let mut st = PlanState::new(&rules, holds.clone());
        let mut call = || {
            st.decide(&rules, Op::Rename, "p", Caller::default(), || {
                Duration::ZERO
            })
            .fail
        };
        assert_eq!(call(), Some(16), "no handle taken: held for good");
        holds.take();
        holds.take();
        assert_eq!(call(), Some(16));
        holds.release();
        assert_eq!(call(), Some(16), "one handle still lives");
        holds.release();
        assert_eq!(call(), None);
    }
}
