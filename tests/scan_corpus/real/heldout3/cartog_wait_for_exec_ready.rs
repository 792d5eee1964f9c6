// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cartog` 0.35.0
// (https://static.crates.io/crates/cartog/cartog-0.35.0.crate), file `src/commands/self_cmd/tests/download.rs`.
// Licence: MIT (see ../licences/cartog-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
//! Tests for download, checksum verification, swap, and smoke test.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::commands::self_cmd::*;

/// Sync + close before chmod to avoid Linux ETXTBSY on fast spawn.
#[cfg(unix)]
fn write_exec_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(body.as_bytes()).unwrap();
        f.sync_data().unwrap();
    }
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_mode(0o755);
    std::fs::set_permissions(&path, perms).unwrap();
    path
}

/// Spin until exec(2) on the script no longer hits ETXTBSY (Linux
/// flags the inode briefly post-write).
#[cfg(unix)]
fn wait_for_exec_ready(bin: &Path) {
    for attempt in 0..10 {
        match std::process::Command::new(bin)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(mut child) => {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(Duration::from_millis(20 * (attempt + 1)));
            }
            Err(e) => panic!("unexpected spawn error from {bin:?}: {e}"),
        }
    }
}
