//! The programs whose calls no plan attached to a child consults: the
//! fake-command shim's copies, which every fake is a hard link to.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Mutex;

/// The (device, inode) of the programs whose calls no child plan consults:
/// the fake-command shim's copies, which every fake is a hard link to. A
/// plan meant for the code under test (`rename=EBUSY`) must not break the
/// fake's bookkeeping (its records are claimed by hard links).
static SHIELDED: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

/// Keep child plans away from the calls of the program at `path`.
pub(crate) fn shield(path: &Path) {
    if let Ok(m) = std::fs::metadata(path) {
        let mut s = SHIELDED.lock().unwrap_or_else(|p| p.into_inner());
        if !s.contains(&(m.dev(), m.ino())) {
            s.push((m.dev(), m.ino()));
        }
    }
}

/// Is the program at `exe` (a /proc/PID/exe link) one [`shield`] named?
pub(super) fn shielded(exe: &Path) -> bool {
    let Ok(m) = std::fs::metadata(exe) else {
        return false;
    };
    let s = SHIELDED.lock().unwrap_or_else(|p| p.into_inner());
    s.contains(&(m.dev(), m.ino()))
}
