// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `embacle` 0.44.0
// (https://static.crates.io/crates/embacle/embacle-0.44.0.crate), file `tests/it/cli_argv_secrets.rs` (a test file).
// Licence: Apache-2.0 (see ../licences/embacle-LICENSE-APACHE).
// excerpt: unrelated items removed; every kept line is verbatim.
// ABOUTME: Drives the Claude Code and Copilot runners against shell stand-ins that dump their argv,
// ABOUTME: proving the MCP bearer and the prompt stay off the command line and the config file is 0600
//
// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 dravr.ai

//! Anything on a child's command line is readable by every process on the
//! host in `/proc/<pid>/cmdline`. The tool host's per-turn bearer travels in
//! the MCP configuration, and the prompt carries the athlete's words, so the
//! configuration goes in a 0600 file and Claude Code's prompt goes on stdin.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Write `body` as an executable `name` in `dir`.
fn stand_in(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\ndir=$(dirname \"$0\")\n{body}")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}
