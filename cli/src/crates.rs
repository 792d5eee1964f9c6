//! Which crate each scanned file belongs to, and whether that crate is
//! built for Windows: its `Cargo.toml` says so, or any of its files names
//! Windows in a cfg (flakeproof-scan's `manifest_builds_for_windows` and
//! `mentions_windows`). unretried-windows-fs then reads the crate's code
//! that every OS builds as Windows code too, where one file alone can't
//! tell (docs/scan.md). Each crate is looked at once, by the first worker
//! that needs it, and only until a file says yes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::walk::walk;

#[derive(Default)]
pub(crate) struct Crates {
    /// A directory's crate root (the nearest directory above with a
    /// `Cargo.toml`), if any.
    roots: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    windows: Mutex<HashMap<PathBuf, Arc<OnceLock<bool>>>>,
}

impl Crates {
    /// Is the crate `file` belongs to built for Windows? A file in no
    /// crate: no.
    pub(crate) fn windows(&self, file: &Path) -> bool {
        let Some(root) = self.root(file) else {
            return false;
        };
        let cell = {
            let mut known = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(known.entry(root.clone()).or_default())
        };
        *cell.get_or_init(|| builds_for_windows(&root))
    }

    fn root(&self, file: &Path) -> Option<PathBuf> {
        let dir = std::fs::canonicalize(file).ok()?.parent()?.to_path_buf();
        let mut roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
        roots
            .entry(dir.clone())
            .or_insert_with(|| {
                dir.ancestors()
                    .find(|d| d.join("Cargo.toml").is_file())
                    .map(Path::to_path_buf)
            })
            .clone()
    }
}

fn builds_for_windows(root: &Path) -> bool {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    if flakeproof_scan::manifest_builds_for_windows(&manifest) {
        return true;
    }
    // A crate inside this one (a workspace member) is its own.
    let nested = |p: &Path| p != root && p.join("Cargo.toml").is_file();
    let mut found = false;
    walk(root, true, &nested, &mut |w| {
        if let Ok(path) = w
            && std::fs::read_to_string(&path).is_ok_and(|t| flakeproof_scan::mentions_windows(&t))
        {
            found = true;
        }
        !found
    });
    found
}
