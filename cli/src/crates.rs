//! Which crate each scanned file belongs to, and what the crate says that
//! one file can't: whether it is built for Windows (its `Cargo.toml` says
//! so, or any of its files names Windows in a cfg: flakeproof-scan's
//! `manifest_builds_for_windows` and `mentions_windows`), and the file's
//! path inside it (what the path rules read: `tests/`, `windows.rs`).
//! unretried-windows-fs then reads the crate's code that every OS builds
//! as Windows code too (docs/scan.md). Each crate is looked at once, by
//! the first worker that needs it, and only until a file says yes; files
//! the user excluded are not read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::walk::{excluded, walk};

/// What the scan of one file may assume from its crate.
pub(crate) struct Facts {
    pub windows: bool,
    pub path_in_crate: Option<String>,
}

pub(crate) struct Crates<'a> {
    /// The user's `--exclude`s, as real paths.
    exclude: &'a [PathBuf],
    /// A directory's crate root (the nearest directory above with a
    /// `Cargo.toml`), if any.
    roots: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    windows: Mutex<HashMap<PathBuf, Arc<OnceLock<bool>>>>,
}

impl<'a> Crates<'a> {
    pub(crate) fn new(exclude: &'a [PathBuf]) -> Crates<'a> {
        Crates {
            exclude,
            roots: Mutex::default(),
            windows: Mutex::default(),
        }
    }

    /// The facts of `file`'s crate; a file in no crate: none. Whether the
    /// crate is built for Windows is looked up only if `ask_windows`
    /// (`--windows` already says yes for every file).
    pub(crate) fn facts(&self, file: &Path, ask_windows: bool) -> Facts {
        let real = std::fs::canonicalize(file).ok();
        let Some((real, root)) = real.and_then(|r| Some((r.clone(), self.root(&r)?))) else {
            return Facts {
                windows: false,
                path_in_crate: None,
            };
        };
        let path_in_crate = real
            .strip_prefix(&root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        if !ask_windows {
            return Facts {
                windows: false,
                path_in_crate,
            };
        }
        let cell = {
            let mut known = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(known.entry(root.clone()).or_default())
        };
        Facts {
            windows: *cell.get_or_init(|| self.builds_for_windows(&root)),
            path_in_crate,
        }
    }

    fn root(&self, real_file: &Path) -> Option<PathBuf> {
        let dir = real_file.parent()?.to_path_buf();
        let known = {
            let roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
            roots.get(&dir).cloned()
        };
        // Looked up outside the lock: other workers go on meanwhile.
        let root = known.unwrap_or_else(|| {
            dir.ancestors()
                .find(|d| d.join("Cargo.toml").is_file())
                .map(Path::to_path_buf)
        });
        let mut roots = self.roots.lock().unwrap_or_else(|e| e.into_inner());
        roots.insert(dir, root.clone());
        root
    }

    fn builds_for_windows(&self, root: &Path) -> bool {
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
        if flakeproof_scan::manifest_builds_for_windows(&manifest) {
            return true;
        }
        // A crate inside this one (a workspace member) is its own; what the
        // user excluded (test inputs, fixtures) is not the crate's code.
        let skip =
            |p: &Path| (p != root && p.join("Cargo.toml").is_file()) || excluded(p, self.exclude);
        let mut found = false;
        walk(root, true, &skip, &mut |w| {
            if let Ok(path) = w
                && std::fs::read_to_string(&path)
                    .is_ok_and(|t| flakeproof_scan::mentions_windows(&t))
            {
                found = true;
            }
            !found
        });
        found
    }
}
