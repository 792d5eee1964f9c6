//! The real race, reproduced on demand: a fork storm in the background, and
//! install-then-exec from several threads, with the usual "atomic install"
//! and with flakeproof's. Prints failures by errno, the failure rate and
//! latencies.
//!
//!     cargo run --release --example fork_storm

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use flakeproof::install_executable_stub;
use flakeproof::lab::{ForkStorm, Recipe, stress};

const BODY: &[u8] = b"#!/bin/sh\nexit 0\n";

type Install = fn(&Path, &str) -> io::Result<PathBuf>;

fn main() {
    if cfg!(not(unix)) {
        eprintln!("fork_storm: the fork race exists on Unix only");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let storm = ForkStorm::start(2);
    let cases: [(&str, Install); 2] = [
        ("temp + fsync + rename (the usual recipe)", |d, n| {
            Recipe::TempFsyncRename.install(d, n, BODY)
        }),
        ("install_executable_stub", |d, n| {
            Ok(install_executable_stub(d, n, BODY)?)
        }),
    ];
    for (name, install) in cases {
        let report = stress(4, 300, |t, _| {
            let stub = install(dir.path(), &format!("stub-{t}"))?;
            Command::new(stub).status().map(drop)
        });
        println!("{name}:\n  {report}\n");
    }
    println!("background spawns during the run: {}", storm.stop());
}
