//! Renaming a new file over a program that is running, where the OS refuses
//! it: Windows can't replace or delete the image of a running `.exe`, but
//! can rename it. So the old file is moved aside to a hidden sibling
//! (`.<name>.<hex>.flakeproof-old`), the new one renamed in, and the old one
//! removed if it no longer runs, or left for a later sweep.
//!
//! Those are two renames, not one: a process killed between them leaves no
//! file at the name. The sweep, run before each replacement of that name,
//! puts the aside copy back when the name is missing and removes asides
//! that are no longer needed. It never touches `.flakeproof-tmp` files,
//! which may be another replacer's work in progress. It takes no lock:
//! every step is safe against a concurrent replacer (see [`restore`]).
//!
//! Where running programs don't block renames (every Unix), nothing here
//! does anything beyond the plain rename.

use std::io;
use std::path::{Path, PathBuf};

use crate::classify::{is_running_target, running_targets_refuse_rename};
use crate::names::Leftover;
use crate::os::Os;
use crate::sys;

/// Rename `tmp` over `dir/name` (= `dest`), moving a running `dest` aside
/// first if the OS refuses to replace it. `Some(aside)` when the old file
/// had to be left beside `dest` (it still runs); `None` otherwise. On error
/// `dest` holds what it held before (or, if a concurrent sweep restored it,
/// the same old program) and `tmp` is still there for the caller to remove.
pub(crate) fn rename_in(
    dir: &Path,
    name: &str,
    tmp: &Path,
    dest: &Path,
) -> io::Result<Option<PathBuf>> {
    let refused = match sys::mirror::rename(tmp, dest) {
        Ok(()) => return Ok(None),
        Err(e) if is_running_target(Os::CURRENT, &e) => e,
        Err(e) => return Err(e),
    };
    let aside = dir.join(Leftover::Aside.name(name, sys::random_u64()));
    // Failing that, the target is held some other way (a handle without
    // FILE_SHARE_DELETE): the caller's retries see the first refusal.
    if sys::mirror::rename(dest, &aside).is_err() {
        return Err(refused);
    }
    // From here until the rename in, nothing is at `dest`.
    if let Err(e) = sys::mirror::rename(tmp, dest) {
        restore(&aside, dest);
        return Err(e);
    }
    Ok(sys::mirror::remove_file(&aside).err().map(|_| aside))
}

/// Deal with the asides of `dir/name` (= `dest`) that earlier replacements
/// left: restore one if `dest` is missing, remove those whose program no
/// longer runs. Best effort: an aside that can't go yet stays for the next
/// sweep. Does nothing where renames aren't refused (no asides are made).
pub(crate) fn sweep(dir: &Path, name: &str, dest: &Path) {
    if !running_targets_refuse_rename(Os::CURRENT) {
        return;
    }
    let Ok(entries) = sys::list_dir(dir) else {
        return;
    };
    for entry in entries {
        if Leftover::Aside.is_of(&entry, name) {
            restore(&dir.join(entry), dest);
        }
    }
}

/// Put `aside` back at `dest` if nothing is there, then drop the `aside`
/// name. The put-back is a hard link, which fails if `dest` exists: a
/// concurrent replacer's new file is never overwritten with the old one.
/// Whoever of two racing restorers comes second finds `dest` there. On
/// filesystems without hard links (FAT), a check then a rename: the one
/// window this leaves is narrow, and the worst it does is put the old
/// program back.
fn restore(aside: &Path, dest: &Path) {
    let back = match sys::hard_link(aside, dest) {
        Ok(()) => true,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => true,
        Err(_) => match sys::exists(dest) {
            Ok(true) => true,
            Ok(false) => return drop(sys::mirror::rename(aside, dest)),
            Err(_) => false,
        },
    };
    if back {
        // Fails while the program runs (Windows): then the next sweep.
        let _ = sys::mirror::remove_file(aside);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_puts_the_aside_back_only_where_nothing_is() {
        let dir = tempfile::tempdir().unwrap();
        let (aside, dest) = (dir.path().join(".a.0.flakeproof-old"), dir.path().join("a"));
        std::fs::write(&aside, "old").unwrap();
        restore(&aside, &dest);
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert!(!aside.exists());

        // A newer file at the name wins: the aside is only dropped.
        std::fs::write(&aside, "older").unwrap();
        restore(&aside, &dest);
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert!(!aside.exists());
    }

    #[test]
    fn a_rename_over_a_name_that_is_not_refused_makes_no_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, dest) = (dir.path().join("t"), dir.path().join("a"));
        std::fs::write(&tmp, "new").unwrap();
        std::fs::write(&dest, "old").unwrap();
        assert_eq!(rename_in(dir.path(), "a", &tmp, &dest).unwrap(), None);
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
