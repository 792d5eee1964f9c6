//! The three outputs: text in rustc's shape, JSON, and SARIF 2.1.0
//! validated against the OASIS schema.

use std::path::PathBuf;
use std::process::Command;

use flakeproof_scan::output::{self, Summary};
use flakeproof_scan::{Options, scan};

fn summary() -> Summary {
    let src = r##"
#[test]
fn t() {
    std::fs::write(&p, "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(&p, Permissions::from_mode(0o755)).unwrap();
    Command::new(&p).status().unwrap();
}
"##;
    let r = scan("tests/a b.rs", src, &Options::default()).unwrap();
    let e = scan("src/bad.rs", "fn f( {", &Options::default()).unwrap_err();
    Summary {
        findings: r.findings,
        errors: vec![e],
        files: 2,
        lines: r.lines,
        silenced: 0,
    }
}

#[test]
fn text_reads_like_rustc() {
    let s = summary();
    let t = output::text_finding(&s.findings[0], false);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(
        lines[0],
        "error[write-then-exec]: an executable written in place, then run"
    );
    assert_eq!(lines[1], " --> tests/a b.rs:4:14");
    assert_eq!(
        lines[3],
        "4 |     std::fs::write(&p, \"#!/bin/sh\\necho hi\\n\").unwrap();"
    );
    assert_eq!(lines[4], "  |              ^");
    assert!(lines[5].starts_with("  = risk: "), "{t}");
    assert!(lines[6].contains("install_executable_stub"), "{t}");
    assert!(output::text_error(&s.errors[0]).starts_with("error[parse]: "));
    assert!(output::text_summary(&s).starts_with("flakeproof scan: 2 finding(s) in 2 file(s)"));
}

#[test]
fn json_has_every_field() {
    let v = output::json(&summary());
    let f = &v["findings"][0];
    for key in [
        "rule", "severity", "file", "line", "column", "snippet", "risk", "fix",
    ] {
        assert!(!f[key].is_null(), "{key}: {v}");
    }
    assert_eq!(f["rule"], "write-then-exec");
    assert_eq!(f["severity"], "error");
    assert_eq!(v["errors"][0]["file"], "src/bad.rs");
}

/// The SARIF 2.1.0 schema (CI: the rtm.5 schema from the npm registry's
/// @microsoft/jest-sarif; or OASIS's, from github.com/oasis-tcs/sarif-spec,
/// `sarif-2.1/schema/sarif-schema-2.1.0.json`) is not committed here (it is
/// fetched material): `FLAKEPROOF_SARIF_SCHEMA` names a copy, else
/// `../shared/sarif-schema-2.1.0.json` beside the checkout is used.
fn schema() -> Option<PathBuf> {
    let beside =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/sarif-schema-2.1.0.json");
    std::env::var_os("FLAKEPROOF_SARIF_SCHEMA")
        .map(PathBuf::from)
        .or(Some(beside))
        .filter(|p| p.exists())
}

fn required(what: &str) -> bool {
    std::env::var("FLAKEPROOF_REQUIRE")
        .unwrap_or_default()
        .split(',')
        .any(|f| f.trim() == what)
}

#[test]
fn sarif_has_the_shape_code_scanning_reads() {
    let v = output::sarif(&summary());
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 5);
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "write-then-exec");
    assert_eq!(
        run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "write-then-exec"
    );
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "tests/a%20b.rs");
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(run["columnKind"], "unicodeCodePoints");
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let Some(schema) = schema() else {
        assert!(
            !required("sarif-schema"),
            "FLAKEPROOF_REQUIRE names sarif-schema but no schema was found"
        );
        eprintln!(
            "SKIPPED (sarif-schema): set FLAKEPROOF_SARIF_SCHEMA to the OASIS sarif-schema-2.1.0.json"
        );
        return;
    };
    let has_validator = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_validator {
        assert!(
            !required("sarif-schema"),
            "python3's jsonschema is required (FLAKEPROOF_REQUIRE)"
        );
        eprintln!(
            "SKIPPED (sarif-schema): python3 -m jsonschema is missing (apt-get install python3-jsonschema)"
        );
        return;
    }
    let doc = std::env::temp_dir().join(format!("flakeproof-scan-{}.sarif", std::process::id()));
    let mut empty = summary();
    empty.findings.clear();
    empty.errors.clear();
    for s in [summary(), empty] {
        std::fs::write(&doc, serde_json::to_string(&output::sarif(&s)).unwrap()).unwrap();
        let out = Command::new("python3")
            .args([
                "-c",
                "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 jsonschema.Draft4Validator.check_schema(schema)\n\
                 errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n\
                 for e in errors: print(e.message, list(e.absolute_path))\n\
                 sys.exit(1 if errors else 0)",
            ])
            .arg(&schema)
            .arg(&doc)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "not valid SARIF 2.1.0:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::remove_file(&doc).unwrap();
}
