//! The real race, reproduced on demand: a fork storm in the background, and
//! install-then-exec from several threads, with a naive install and with
//! flakeproof's. Prints failures by errno, the failure rate and latencies.
//!
//!     cargo run --release --example fork_storm

use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use flakeproof::install_executable_stub;
use flakeproof::lab::{stress, ForkStorm};

const BODY: &[u8] = b"#!/bin/sh\nexit 0\n";

fn naive(dir: &Path, name: &str) -> io::Result<std::path::PathBuf> {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path)?;
    f.write_all(BODY)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
    f.sync_all()?;
    Ok(path)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let storm = ForkStorm::start(2);
    for (name, install) in [
        (
            "naive write + fsync",
            naive as fn(&Path, &str) -> io::Result<std::path::PathBuf>,
        ),
        ("install_executable_stub", |d: &Path, n: &str| {
            install_executable_stub(d, n, BODY)
        }),
    ] {
        let report = stress(4, 300, |t, _| {
            let stub = install(dir.path(), &format!("stub-{t}"))?;
            Command::new(stub).status().map(drop)
        });
        println!("{name}:\n  {report}\n");
    }
    println!("background spawns during the run: {}", storm.stop());
}
