//! The corpus scorer: scans every file of `tests/scan_corpus/` (its
//! `manifest.json` lists each with the (rule, line) findings it should
//! give), matches findings to labels by (file, rule, line), and prints TP,
//! FP, FN, precision and recall per rule for each half (`tune/`,
//! `heldout/`). Issue 23's targets, 90 % precision and 80 % recall per rule,
//! hold on the held-out half only, and fail the test only with
//! `FLAKEPROOF_SCAN_SCORE=enforce`. Each held-out set was spent by one
//! scoring (docs/scan.md) and a fresh one collected blind after the next
//! tuning (`real/heldout2/`, `real/heldout3/`, `real/heldout4/`); the
//! targets apply to the newest, whose counts the test pins to the docs.
//! `FLAKEPROOF_SCAN_SCORE=tune` prints all but the newest set, each miss
//! named, to tune the rules on without seeing it. Excerpts of published crates (`real/`) are also counted
//! on their own (`tune:real`, `heldout:real`). The scorer itself is
//! tested on a hand-made fixture corpus, `scan/tests/fixture_corpus/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use flakeproof_scan::{Options, Rule, manifest_builds_for_windows, scan};
use serde_json::Value;

#[derive(Default, Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    fn precision(&self) -> Option<f64> {
        let found = self.tp + self.fp;
        (found > 0).then(|| self.tp as f64 / found as f64)
    }
    fn recall(&self) -> Option<f64> {
        let labelled = self.tp + self.fn_;
        (labelled > 0).then(|| self.tp as f64 / labelled as f64)
    }
}

/// (half, rule id) -> counts.
pub type Table = BTreeMap<(String, &'static str), Counts>;

/// The path the file had where it came from (so that `tests/` still marks
/// test code), when `source` names one; else the corpus path.
fn scan_name(case: &Value, file: &str) -> String {
    let source = case["source"].as_str().unwrap_or("");
    // "https://github.com/o/r/blob/<commit>/path", or a crate's excerpt:
    // "crates.io: <crate> <version>, <path in the crate>".
    let path = match source.strip_prefix("crates.io: ") {
        Some(rest) => rest.split_once(", ").map_or(rest, |(_, p)| p),
        None => source.split_once("/blob/").map_or(source, |(_, rest)| {
            rest.split_once('/').map_or(rest, |(_, p)| p)
        }),
    };
    if path.ends_with(".rs") && !path.contains(' ') {
        path.to_string()
    } else {
        file.to_string()
    }
}

pub fn score(dir: &Path) -> Table {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], 1, "manifest version");
    let mut table = Table::new();
    for case in manifest["cases"].as_array().expect("cases") {
        let file = case["file"].as_str().expect("file");
        // `tune/x.rs`, `heldout/x.rs`, or `real/<half>/x.rs` for excerpts
        // of published crates, which are also counted on their own.
        let half = ["heldout4", "heldout3", "heldout2", "heldout"]
            .into_iter()
            .find(|h| file.split('/').any(|c| c == *h))
            .unwrap_or("tune");
        let groups: Vec<String> = match case["origin"].as_str() {
            Some("crates.io") => vec![half.to_string(), format!("{half}:real")],
            _ => vec![half.to_string()],
        };
        let text =
            std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let name = scan_name(case, file);
        // The crate's facts the command reads beside the file (its
        // Cargo.toml, a cfg naming Windows in any of its files), as the
        // collector recorded them from the crate's archive.
        let manifest = case["crate_manifest"]
            .as_str()
            .map(|m| std::fs::read_to_string(dir.join(m)).unwrap_or_else(|e| panic!("{m}: {e}")));
        let options = Options {
            windows_everywhere: case["crate_mentions_windows"] == true
                || manifest.is_some_and(|m| manifest_builds_for_windows(&m)),
            ..Default::default()
        };
        let found: BTreeSet<(&'static str, u64)> = match scan(&name, &text, &options) {
            Ok(r) => r
                .findings
                .iter()
                .map(|f| (f.rule.id(), f.line as u64))
                .collect(),
            Err(e) => panic!("{file} does not parse: {e:?}"),
        };
        let mut expected = BTreeSet::new();
        for e in case["expect"].as_array().expect("expect") {
            let rule = Rule::from_id(e["rule"].as_str().unwrap_or(""))
                .unwrap_or_else(|| panic!("{file}: unknown rule {}", e["rule"]));
            expected.insert((rule.id(), e["line"].as_u64().expect("line")));
        }
        for r in Rule::ALL {
            // Matched exactly: labels and findings both sit on the line a
            // call starts on (a chain spread over lines: its first line).
            let e: BTreeSet<_> = expected.iter().filter(|x| x.0 == r.id()).collect();
            let f: BTreeSet<_> = found.iter().filter(|x| x.0 == r.id()).collect();
            if std::env::var("FLAKEPROOF_SCAN_SCORE").as_deref() == Ok("tune") && half != FRESH {
                for x in f.difference(&e) {
                    eprintln!("FP {file}:{} {}", x.1, x.0);
                }
                for x in e.difference(&f) {
                    eprintln!("FN {file}:{} {}", x.1, x.0);
                }
            }
            for group in &groups {
                let c = table.entry((group.clone(), r.id())).or_default();
                c.tp += e.intersection(&f).count();
                c.fp += f.difference(&e).count();
                c.fn_ += e.difference(&f).count();
            }
        }
    }
    table
}

fn pct(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{:.1} %", v * 100.0))
}

pub fn print(table: &Table) -> String {
    let mut s = format!(
        "{:<8} {:<26} {:>4} {:>4} {:>4} {:>10} {:>8}\n",
        "half", "rule", "TP", "FP", "FN", "precision", "recall"
    );
    for ((half, rule), c) in table {
        s.push_str(&format!(
            "{half:<8} {rule:<26} {:>4} {:>4} {:>4} {:>10} {:>8}\n",
            c.tp,
            c.fp,
            c.fn_,
            pct(c.precision()),
            pct(c.recall())
        ));
    }
    s
}

/// The newest held-out set, the one no tuning has seen: `real/heldout4/`.
/// Each earlier one was spent by its one scoring (docs/scan.md).
const FRESH: &str = "heldout4";

/// The held-out rules under the targets, each with why: on the newest
/// held-out set the corpus has.
pub fn misses(table: &Table) -> Vec<String> {
    let target = [FRESH, "heldout3", "heldout2", "heldout"]
        .into_iter()
        .find(|h| table.keys().any(|(half, _)| half == h))
        .unwrap_or("heldout");
    let mut out = Vec::new();
    for ((half, rule), c) in table {
        if half != target {
            continue;
        }
        if let Some(p) = c.precision().filter(|p| *p < 0.9) {
            out.push(format!("{rule}: precision {} < 90 %", pct(Some(p))));
        }
        if let Some(r) = c.recall().filter(|r| *r < 0.8) {
            out.push(format!("{rule}: recall {} < 80 %", pct(Some(r))));
        }
    }
    out
}

/// docs/scan.md's figures for the fresh held-out set, scored once.
const DOCUMENTED: [(&str, Counts); 5] = [
    (
        "write-then-exec",
        Counts {
            tp: 0,
            fp: 0,
            fn_: 1,
        },
    ),
    (
        "shell-script-stub",
        Counts {
            tp: 0,
            fp: 0,
            fn_: 0,
        },
    ),
    (
        "hand-rolled-etxtbsy-retry",
        Counts {
            tp: 0,
            fp: 0,
            fn_: 0,
        },
    ),
    (
        "in-place-replace",
        Counts {
            tp: 9,
            fp: 4,
            fn_: 22,
        },
    ),
    (
        "unretried-windows-fs",
        Counts {
            tp: 18,
            fp: 12,
            fn_: 23,
        },
    ),
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_corpus_meets_the_targets_on_its_held_out_half() {
    let dir = manifest_dir().join("../tests/scan_corpus");
    if !dir.join("manifest.json").exists() {
        eprintln!(
            "SKIPPED (corpus): {} is absent; the scorer is tested on the fixture corpus",
            dir.display()
        );
        return;
    }
    let mut table = score(&dir);
    if std::env::var("FLAKEPROOF_SCAN_SCORE").as_deref() == Ok("tune") {
        // While tuning the rules: the fresh held-out set stays unseen.
        table.retain(|(group, _), _| !group.starts_with(FRESH));
    }
    eprintln!("flakeproof scan on tests/scan_corpus:\n{}", print(&table));
    // The fresh held-out set's counts as docs/scan.md reports them: a rule
    // change that moves them must update the docs (and, to claim a better
    // figure honestly, needs a held-out set its tuning never saw).
    if !dir.join("real").join(FRESH).is_dir() {
        eprintln!("NO FRESH SET: real/{FRESH}/ is absent, so no held-out figure is checked");
    } else if std::env::var("FLAKEPROOF_SCAN_SCORE").as_deref() != Ok("tune") {
        for (rule, counts) in DOCUMENTED {
            let got = table
                .get(&(FRESH.to_string(), Rule::from_id(rule).unwrap().id()))
                .copied()
                .unwrap_or_default();
            assert_eq!(
                got, counts,
                "{rule} on {FRESH} no longer as docs/scan.md says"
            );
        }
    }
    let misses = misses(&table);
    if std::env::var("FLAKEPROOF_SCAN_SCORE").as_deref() == Ok("enforce") {
        assert!(misses.is_empty(), "held-out targets missed: {misses:?}");
    } else if !misses.is_empty() {
        eprintln!(
            "held-out targets missed (FLAKEPROOF_SCAN_SCORE=enforce makes this fail): {misses:?}"
        );
    }
}

#[test]
fn the_scorer_counts_the_fixture_corpus_as_hand_counted() {
    let table = score(&manifest_dir().join("tests/fixture_corpus"));
    eprintln!("{}", print(&table));
    let get =
        |half: &str, rule: &str| table[&(half.to_string(), Rule::from_id(rule).unwrap().id())];
    let c = |tp, fp, fn_| Counts { tp, fp, fn_ };
    assert_eq!(get("tune", "write-then-exec"), c(1, 0, 0));
    assert_eq!(get("tune", "shell-script-stub"), c(1, 0, 0));
    assert_eq!(get("heldout", "hand-rolled-etxtbsy-retry"), c(1, 0, 0));
    assert_eq!(get("heldout", "unretried-windows-fs"), c(0, 0, 1));
    assert_eq!(get("heldout", "in-place-replace"), c(0, 1, 0));
    let misses = misses(&table);
    assert_eq!(
        misses,
        [
            "in-place-replace: precision 0.0 % < 90 %",
            "unretried-windows-fs: recall 0.0 % < 80 %"
        ]
    );
    assert!(
        print(&table)
            .contains("heldout  hand-rolled-etxtbsy-retry     1    0    0    100.0 %  100.0 %")
    );
}
