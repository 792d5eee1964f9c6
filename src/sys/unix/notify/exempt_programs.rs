//! The programs whose calls no plan attached to a child consults: the
//! fake-command shim's copies, which every fake is a hard link to. A plan
//! meant for the code under test (`rename=EBUSY`) must not break the fake's
//! bookkeeping (its records are claimed by hard links, its replies read by
//! rename). Kept by (device, inode), not by path: every fake is a link of
//! its own to one shim, and the supervisor only has `/proc/PID/exe`.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Mutex;

/// The (device, inode) of every program [`exempt_program`] named.
static EXEMPT: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

/// Keep child plans away from the calls of the program at `path`.
pub(crate) fn exempt_program(path: &Path) {
    if let Ok(m) = std::fs::metadata(path) {
        let mut s = EXEMPT.lock().unwrap_or_else(|p| p.into_inner());
        if !s.contains(&(m.dev(), m.ino())) {
            s.push((m.dev(), m.ino()));
        }
    }
}

/// Is the program at `exe` (a /proc/PID/exe link) one [`exempt_program`]
/// named?
pub(super) fn is_exempt(exe: &Path) -> bool {
    let Ok(m) = std::fs::metadata(exe) else {
        return false;
    };
    let s = EXEMPT.lock().unwrap_or_else(|p| p.into_inner());
    s.contains(&(m.dev(), m.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hard_link_of_an_exempt_program_is_exempt_and_a_copy_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let shim = dir.path().join("shim");
        std::fs::write(&shim, b"#!/bin/sh\n").unwrap();
        let fake = dir.path().join("fake");
        std::fs::hard_link(&shim, &fake).unwrap();
        let copy = dir.path().join("copy");
        std::fs::copy(&shim, &copy).unwrap();
        assert!(!is_exempt(&fake));
        exempt_program(&shim);
        assert!(is_exempt(&fake));
        assert!(!is_exempt(&copy));
        assert!(!is_exempt(&dir.path().join("missing")));
    }
}
