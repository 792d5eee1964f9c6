//! Unit tests of `parse.rs`, in a file of their own so that the code reads
//! on one screen-length.

use super::*;
use crate::fault::display::DisplayRules;
use crate::rng::SplitMix64;

fn parse_linux(s: &str) -> Result<Vec<Rule>, ParseError> {
    parse(s, Os::Linux)
}

fn show(rules: &[Rule]) -> String {
    DisplayRules(rules).to_string()
}

#[test]
fn the_issue_example_parses() {
    let r =
        parse_linux("spawn(*/stub-*)=ETXTBSY@1..2; rename=EBUSY@p0.1/seed=7; write=delay(20ms)")
            .unwrap();
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].op, Some(Op::Spawn));
    assert_eq!(r[0].pattern.as_deref(), Some("*/stub-*"));
    assert_eq!(
        r[0].action,
        Action::Fail(Errno {
            code: 26,
            name: Some("ETXTBSY")
        })
    );
    assert_eq!(
        r[0].trigger,
        Trigger::Calls {
            from: 1,
            to: Some(2)
        }
    );
    assert_eq!(r[1].trigger, Trigger::Chance { p: 0.1, seed: 7 });
    assert_eq!(r[2].action, Action::Delay(Duration::from_millis(20)));
    assert_eq!(r[2].trigger, Trigger::Always);
    assert_eq!(
        show(&r),
        "spawn(*/stub-*)=ETXTBSY@1..2; rename=EBUSY@p0.1/seed=7; write=delay(20ms)"
    );
}

#[test]
fn every_form_round_trips() {
    for s in [
        "any=EIO",
        "open=ENOENT@3",
        "open_write(/a b/c)=13@2..",
        "remove_dir=busy(ENOTEMPTY,1500us)",
        "lock=EAGAIN@every4",
        "copy=EPERM@1..1",
        "sync=delay(1s)@p1/seed=0",
        "set_permissions=EROFS@..3",
        "create_dir=EEXIST; remove_file=EBUSY",
        "exec=ETXTBSY",
    ] {
        let r = parse_linux(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(parse_linux(&show(&r)).unwrap(), r, "{s} -> {}", show(&r));
    }
    assert_eq!(
        show(&parse_linux("copy=EPERM@1..1").unwrap()),
        "copy=EPERM@1"
    );
    assert_eq!(show(&parse_linux("exec=ETXTBSY").unwrap()), "exec=ETXTBSY");
    assert_eq!(parse_linux("exec=ETXTBSY").unwrap()[0].op, Some(Op::Exec));
    assert_eq!(
        show(&parse_linux("sync=delay(1500000ns)").unwrap()),
        "sync=delay(1500us)"
    );
}

#[test]
fn whitespace_and_empty_rules_are_fine() {
    let r = parse_linux("  spawn ( */x ) = EBUSY @ 1 .. 2 ;; ;").unwrap();
    assert_eq!(show(&r), "spawn(*/x)=EBUSY@1..2");
    assert!(parse_linux("").unwrap().is_empty());
    assert!(parse_linux(" ; ").unwrap().is_empty());
}

#[test]
fn windows_names_resolve_for_windows_only() {
    let r = parse("rename=ERROR_SHARING_VIOLATION@1..3", Os::Windows).unwrap();
    assert_eq!(
        r[0].action,
        Action::Fail(Errno {
            code: 32,
            name: Some("ERROR_SHARING_VIOLATION")
        })
    );
    let e = parse_linux("rename=ERROR_SHARING_VIOLATION").unwrap_err();
    assert_eq!(e.column(), 8);
    assert!(e.to_string().contains("is a Windows error"), "{e}");
    assert!(
        parse("rename=EBUSY", Os::Windows)
            .unwrap_err()
            .to_string()
            .contains("POSIX errno")
    );
    let mac = parse("lock=EAGAIN", Os::MacOs).unwrap();
    assert_eq!(
        mac[0].action,
        Action::Fail(Errno {
            code: 35,
            name: Some("EAGAIN")
        })
    );
}

#[test]
fn malformed_plans_say_where_and_what() {
    let cases: &[(&str, usize, &str)] = &[
        ("spwan=EBUSY", 1, "expected an operation"),
        ("rename", 7, "expected `=`, found the end"),
        ("rename EBUSY", 8, "expected `=`, found `EBUSY`"),
        ("rename=", 8, "expected an error name"),
        ("rename=EBSY", 8, "`EBSY` is not a known error name"),
        ("rename=0", 8, "0 is not an error number"),
        ("rename=99999999999", 8, "is not an error number"),
        ("rename=EBUSY@", 14, "expected a call number"),
        ("rename=EBUSY@0", 14, "counted from 1"),
        ("rename=EBUSY@3..2", 14, "range 3..2 is empty"),
        ("rename=EBUSY@every0", 14, "every0 never fires"),
        ("rename=EBUSY@p1.5/seed=1", 15, "probability from 0 to 1"),
        ("rename=EBUSY@p0.5", 18, "expected `/seed=`"),
        ("rename=EBUSY@p0.5/seed=", 24, "expected a seed"),
        ("rename=EBUSY@p./seed=1", 15, "probability"),
        ("write=delay(20)", 15, "expected a unit"),
        ("write=delay(20min)", 15, "expected a unit"),
        ("write=delay(ms)", 13, "expected a duration"),
        ("write=delay(20ms", 17, "expected `)`"),
        ("write=busy(EBUSY 20ms)", 18, "expected `,`"),
        ("write=delay(99999999999999999999s)", 13, "too large"),
        ("write=delay(99999999999s)", 24, "too long"),
        ("spawn()=EBUSY", 7, "path pattern"),
        ("spawn(*/x=EBUSY", 16, "`)` to close"),
        ("spawn(*/x;)=EBUSY", 10, "`)` to close"),
        ("rename=EBUSY rename=EIO", 14, "`;` between rules"),
        ("rename=EBUSY@1 2", 16, "`;` between rules"),
        ("=EBUSY", 1, "expected an operation"),
        ("rename=EBUSY@1..x", 17, "`;` between rules"),
        ("ré=EBUSY", 1, "expected an operation"),
    ];
    for (text, column, needle) in cases {
        let e = parse_linux(text).expect_err(text);
        assert!(e.to_string().contains(needle), "{text:?}: {e}");
        assert_eq!(e.column(), *column, "{text:?}: {e}");
    }
}

/// A random plan, built from the grammar's own parts.
fn random_rules(rng: &mut SplitMix64) -> Vec<Rule> {
    let names = crate::errno::names(Os::Linux);
    let mut pick = |n: u64| rng.next_u64() % n;
    (0..pick(5))
        .map(|_| {
            let op = if pick(4) == 0 {
                None
            } else {
                Some(Op::ALL[pick(Op::ALL.len() as u64) as usize])
            };
            let pattern = match pick(3) {
                0 => None,
                1 => Some("*/stub-*".to_owned()),
                _ => Some(format!("/tmp/{}?x*", pick(1000))),
            };
            let errno = if pick(4) == 0 {
                Errno {
                    code: pick(200) as i32 + 1,
                    name: None,
                }
            } else {
                let name = names[pick(names.len() as u64) as usize];
                Errno {
                    code: code_of(Os::Linux, name).unwrap().0,
                    name: Some(name),
                }
            };
            let dur =
                Duration::from_nanos(pick(3_000_000_000) * [1, 1_000, 1_000_000][pick(3) as usize]);
            let action = match pick(4) {
                0 => Action::Fail(errno),
                1 => Action::Delay(dur),
                2 => Action::Held(errno),
                _ => Action::Busy(errno, dur),
            };
            let from = pick(50) + 1;
            let trigger = match pick(5) {
                0 => Trigger::Always,
                1 => Trigger::Calls {
                    from,
                    to: Some(from + pick(10)),
                },
                2 => Trigger::Calls { from, to: None },
                3 => Trigger::Every(pick(9) + 1),
                _ => Trigger::Chance {
                    p: (pick(1 << 53) as f64) / (1u64 << 53) as f64,
                    seed: pick(u64::MAX),
                },
            };
            let per = if pick(4) == 0 {
                Per::Process
            } else {
                Per::Tree
            };
            Rule {
                op,
                pattern,
                action,
                trigger,
                per,
            }
        })
        .collect()
}

#[test]
fn property_display_then_parse_gives_the_same_plan() {
    let mut rng = SplitMix64(0x5eed);
    for _ in 0..20_000 {
        let rules = random_rules(&mut rng);
        let text = show(&rules);
        let back = parse_linux(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(back, rules, "{text}");
    }
}

#[test]
fn property_garbage_never_panics() {
    // Mutations of valid plans: deletions, insertions of grammar bytes.
    let alphabet: Vec<char> = "spawnrename()*=@.;,/ETXBUSY0123456789pseedlayms \u{e9}\0"
        .chars()
        .collect();
    let mut rng = SplitMix64(42);
    for _ in 0..20_000 {
        let mut text: Vec<char> = show(&random_rules(&mut rng)).chars().collect();
        for _ in 0..(rng.next_u64() % 4) {
            let at = (rng.next_u64() as usize) % (text.len() + 1);
            if rng.next_u64().is_multiple_of(2) && at < text.len() {
                text.remove(at);
            } else {
                text.insert(at, alphabet[(rng.next_u64() as usize) % alphabet.len()]);
            }
        }
        let text: String = text.into_iter().collect();
        if let Err(e) = parse_linux(&text) {
            assert!(
                e.column() >= 1 && e.column() <= text.chars().count() + 1,
                "{text:?}: {e}"
            );
        }
    }
}
