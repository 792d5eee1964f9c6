//! Unit tests of [`super::wire`], the format the library and the shim
//! share: round trips of specs and records, cut records refused, steps
//! after a sequence's last, matchers and call-file names. A sibling, not
//! inside wire.rs: the shim includes that file by path, and it stays the
//! format alone.

use super::wire::*;

fn reply(code: u32) -> Reply {
    Reply {
        delay_us: 5,
        stdout: b"out".to_vec(),
        stderr: vec![],
        echo_stdin: true,
        hang: false,
        finish: Finish::Exit(code),
    }
}

#[test]
fn a_spec_round_trips() {
    let spec = Spec {
        fake: 3,
        name: "git".into(),
        rules: vec![
            Rule {
                matcher: Match::Exact(vec![b"a b".to_vec(), vec![], vec![0xff]]),
                steps: vec![reply(1), reply(2)],
                after_last: AfterLast::Cycle,
            },
            Rule {
                matcher: Match::Any,
                steps: vec![Reply {
                    finish: Finish::Passthrough(b"/usr/bin/git".to_vec()),
                    ..reply(0)
                }],
                after_last: AfterLast::Fail,
            },
        ],
        otherwise: Reply {
            finish: Finish::Signal(9),
            ..reply(0)
        },
        env_keys: vec![b"HOME".to_vec()],
        stdin_cap: Some(1 << 20),
    };
    assert_eq!(Spec::decode(&spec.encode()).unwrap(), spec);
    let enc = spec.encode();
    for cut in [0, 7, 8, 20, enc.len() - 1] {
        assert!(Spec::decode(&enc[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn records_round_trip() {
    let s = Start {
        name: "git".into(),
        argv0: b"git".to_vec(),
        args: vec![vec![], b"-n".to_vec()],
        cwd: Some(b"/tmp".to_vec()),
        env: vec![(b"A".to_vec(), None), (b"B".to_vec(), Some(vec![]))],
        pid: 42,
        taken: Some(Taken { rule: 1, step: 7 }),
        live: "live-42-1".into(),
    };
    assert_eq!(Start::decode(&s.encode()).unwrap(), s);
    // The end record follows the start in the same file.
    let mut file = s.encode();
    let (_, rest) = Start::decode_prefix(&file).unwrap();
    assert!(rest.is_empty());
    file.extend(
        End {
            ending: Ending::Exited(3),
            stdin_len: None,
        }
        .encode(),
    );
    let (back, rest) = Start::decode_prefix(&file).unwrap();
    assert_eq!(back, s);
    assert_eq!(End::decode(rest).unwrap().ending, Ending::Exited(3));
    let e = End {
        ending: Ending::Signaled(15),
        stdin_len: Some(3),
    };
    assert_eq!(End::decode(&e.encode()).unwrap(), e);
}

#[test]
fn steps_after_the_last() {
    let mut r = Rule {
        matcher: Match::Any,
        steps: vec![reply(1), reply(2)],
        after_last: AfterLast::RepeatLast,
    };
    let code = |r: &Rule, k| r.step(k).map(|s| s.finish.clone());
    assert_eq!(code(&r, 3), Some(Finish::Exit(2)));
    r.after_last = AfterLast::Cycle;
    assert_eq!(code(&r, 3), Some(Finish::Exit(1)));
    assert_eq!(code(&r, 4), Some(Finish::Exit(2)));
    r.after_last = AfterLast::Fail;
    assert_eq!(code(&r, 3), None);
    assert!(r.claims_steps());
    r.steps.pop();
    r.after_last = AfterLast::RepeatLast;
    assert!(!r.claims_steps());
}

#[test]
fn matchers_and_call_numbers() {
    let a = |v: &[&str]| v.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    assert!(Match::Prefix(a(&["push"])).matches(&a(&["push", "-f"])));
    assert!(!Match::Exact(a(&["push"])).matches(&a(&["push", "-f"])));
    assert!(Match::Contains(a(&["-f", "push"])).matches(&a(&["push", "-f"])));
    assert!(!Match::Contains(a(&["-x"])).matches(&a(&["push", "-f"])));
    assert_eq!(call_number("12"), Some(12));
    assert_eq!(call_number("12.end"), None);
    assert_eq!(call_number("0"), None);
    assert_eq!(call_number(""), None);
}
