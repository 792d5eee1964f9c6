// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/Kuberwastaken/claurst/pull/325
use std::path::Path;

#[cfg(windows)]
pub fn cleanup_sidelined(sidelined: &Path) {
    // Windows may keep the old exe locked until the process exits: that's fine.
    let _ = std::fs::remove_file(sidelined);
}
