//! How fast `flakeproof scan`'s analysis reads a large tree: lines per
//! second on one thread and on N (threads pulling files from a shared
//! index, as the command does), over a synthetic tree of 5,000 Rust files
//! written to a temp dir, beside issue 23's target of 20,000 lines/s per
//! core; and the peak resident set (VmHWM), which should follow the largest
//! file, not the tree. Figures are printed, never asserted.
//!
//!     cargo bench -p flakeproof-scan --bench scan               # 5,000 files
//!     cargo bench -p flakeproof-scan --bench scan -- --files 500  # quick
#![allow(clippy::disallowed_methods)] // the bench writes and reads its own tree

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use flakeproof_scan::{Options, scan};

const TARGET_PER_CORE: f64 = 20_000.0;

/// SplitMix64: the same tree on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A file of ordinary code with, now and then, a site a rule finds.
fn synthetic_file(rng: &mut Rng, i: usize) -> String {
    let mut s =
        format!("//! Synthetic module {i}.\nuse std::path::Path;\nuse std::process::Command;\n\n");
    for f in 0..(4 + rng.below(12)) {
        match rng.below(6) {
            0 => s.push_str(&format!(
                "#[test]\nfn writes_and_runs_{f}() {{\n    let dir = tempfile::tempdir().unwrap();\n    let p = dir.path().join(\"tool{f}\");\n    std::fs::write(&p, \"#!/bin/sh\\necho {f}\\n\").unwrap();\n    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();\n    assert!(Command::new(&p).status().unwrap().success());\n}}\n\n"
            )),
            1 => s.push_str(&format!(
                "pub fn run_{f}(cmd: &mut Command) -> std::io::Result<std::process::Output> {{\n    let mut tries = 0;\n    loop {{\n        match cmd.output() {{\n            Err(e) if e.raw_os_error() == Some(26) && tries < 5 => {{\n                tries += 1;\n                std::thread::sleep(std::time::Duration::from_millis(10));\n            }}\n            other => return other,\n        }}\n    }}\n}}\n\n"
            )),
            _ => {
                s.push_str(&format!(
                    "#[derive(Debug, Clone)]\npub struct Item{f} {{\n    name: String,\n    size: u64,\n    tags: Vec<String>,\n}}\n\nimpl Item{f} {{\n"
                ));
                for m in 0..(3 + rng.below(8)) {
                    s.push_str(&format!(
                        "    /// Method {m}.\n    pub fn method_{m}(&self, other: &Path, n: u64) -> Option<u64> {{\n        let total = self.size.checked_add(n)?;\n        if other.exists() && self.tags.iter().any(|t| t.len() > {m}) {{\n            let joined = format!(\"{{}}/{{}}\", self.name, other.display());\n            return Some(total + joined.len() as u64);\n        }}\n        match total % 3 {{\n            0 => Some(total),\n            1 => None,\n            _ => Some(total * 2),\n        }}\n    }}\n\n"
                    ));
                }
                s.push_str("}\n\n");
            }
        }
    }
    s
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Scan every file on `threads` threads; (lines, findings, seconds).
fn scan_all(files: &[PathBuf], threads: usize) -> (usize, usize, f64) {
    let next = AtomicUsize::new(0);
    let lines = AtomicUsize::new(0);
    let found = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = files.get(i) else { return };
                    let text = std::fs::read_to_string(f).unwrap();
                    let r = scan(&f.to_string_lossy(), &text, &Options::default()).unwrap();
                    lines.fetch_add(r.lines, Ordering::Relaxed);
                    found.fetch_add(r.findings.len(), Ordering::Relaxed);
                }
            });
        }
    });
    (
        lines.into_inner(),
        found.into_inner(),
        start.elapsed().as_secs_f64(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--files")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(5_000);
    let dir = std::env::temp_dir().join(format!("flakeproof-scan-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(23);
    let mut files = Vec::with_capacity(n);
    let mut largest = 0;
    for i in 0..n {
        let sub = dir.join(format!("crate{}/src", i / 100));
        std::fs::create_dir_all(&sub).unwrap();
        let p = sub.join(format!("m{i}.rs"));
        let text = synthetic_file(&mut rng, i);
        largest = largest.max(text.len());
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    let before = vm_hwm_kib();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "flakeproof scan's analysis over {n} synthetic files (largest {} KiB), release build",
        largest / 1024
    );
    println!(
        "{:<10} {:>9} {:>9} {:>8} {:>12} {:>14} {:>10}",
        "threads", "lines", "findings", "secs", "lines/s", "lines/s/core", "target"
    );
    for threads in [1, cores] {
        let (lines, found, secs) = scan_all(&files, threads);
        let rate = lines as f64 / secs;
        let per_core = rate / threads.min(cores) as f64;
        println!(
            "{threads:<10} {lines:>9} {found:>9} {secs:>8.2} {rate:>12.0} {per_core:>14.0} {:>9.1}x",
            per_core / TARGET_PER_CORE
        );
        if cores == 1 {
            break;
        }
    }
    println!(
        "peak RSS (VmHWM): {} KiB after writing the tree, {} KiB after scanning it",
        before,
        vm_hwm_kib()
    );
    remove(&dir);
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}
