//! Walking the paths `flakeproof scan` is given for `.rs` files: depth
//! first, in name order, cargo's `target/` and hidden directories skipped,
//! links below a root not followed, and what can't be read reported.

use std::path::{Path, PathBuf};

/// What the walk hands the workers: a file to scan, or a file or
/// directory it could not read, to report.
pub(crate) type Walked = Result<PathBuf, (PathBuf, String)>;

/// Every `.rs` file under `p`, depth first, in name order; cargo's
/// `target/` and hidden directories are skipped below the root, symlinks below it not
/// followed, and whatever `skip` says. What can't be read is sent as such.
pub(crate) fn walk(
    p: &Path,
    root: bool,
    skip: &dyn Fn(&Path) -> bool,
    send: &mut dyn FnMut(Walked) -> bool,
) -> bool {
    if skip(p) {
        return true;
    }
    let meta = match if root {
        std::fs::metadata(p)
    } else {
        std::fs::symlink_metadata(p)
    } {
        Ok(m) => m,
        Err(e) => return send(Err((p.to_path_buf(), e.to_string()))),
    };
    if meta.is_file() {
        return !(root || p.extension().is_some_and(|e| e == "rs")) || send(Ok(p.to_path_buf()));
    }
    if !meta.is_dir() {
        return true;
    }
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // cargo's build directory (beside a Cargo.toml, or tagged as a cache):
    // not a source module that happens to be named `target`.
    let build_dir = name == "target"
        && (p.join("CACHEDIR.TAG").exists()
            || p.parent().is_some_and(|d| d.join("Cargo.toml").exists()));
    if !root && (build_dir || name.starts_with('.')) {
        return true;
    }
    let entries = match std::fs::read_dir(p) {
        Ok(entries) => entries,
        Err(e) => return send(Err((p.to_path_buf(), e.to_string()))),
    };
    let mut children = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => children.push(e.path()),
            Err(e) => return send(Err((p.to_path_buf(), e.to_string()))),
        }
    }
    children.sort();
    children.into_iter().all(|c| walk(&c, false, skip, send))
}

/// Is `p` under one of the user's `--exclude`s (given as real paths, so
/// that `./x`, `x` and `/abs/x` are one)?
pub(crate) fn excluded(p: &Path, exclude: &[PathBuf]) -> bool {
    !exclude.is_empty()
        && std::fs::canonicalize(p).is_ok_and(|c| exclude.iter().any(|e| c.starts_with(e)))
}
