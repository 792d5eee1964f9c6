//! A notified call's path, as the kernel would see it, resolved from
//! outside the caller: relative paths against the caller's working
//! directory (`/proc/TID/cwd`) or the directory its `dirfd` names
//! (`/proc/TID/fd/N`), since a plan's patterns match absolute paths. And
//! whether the kernel would get past its lookup at all: where it would
//! not, it answers ENOENT first, so a fault injected there would be one the
//! kernel never gives.
//!
//! The caller is blocked in its call while this runs; its other threads are
//! not, and can change the cwd or a descriptor between this reading and the
//! kernel's own lookup (the TOCTOU seccomp_unotify(2) warns of): harmless
//! here, where the answer injects a fault and guards nothing.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use super::child_memory::read_c_string;
use super::filter::{AT_FDCWD, Decoded, Needs, Target};

/// The call's path, resolved: against the caller's working directory or
/// the directory its `dirfd` names, lexically (`.` and `..` folded).
pub(super) fn target_path(tid: u32, target: &Target, args: &[u64; 6]) -> Option<PathBuf> {
    match *target {
        Target::Fd(i) => fd_path(tid, args[i] as i32),
        Target::At { dirfd, path } => at_path(tid, dirfd.map(|d| args[d]), args[path]),
    }
}

/// The path at `addr` in the caller's memory, against `dirfd` (the raw
/// argument: the kernel reads only its low 32 bits, an `int`).
fn at_path(tid: u32, dirfd: Option<u64>, addr: u64) -> Option<PathBuf> {
    let raw = read_c_string(tid, addr).ok()?;
    let path = Path::new(OsStr::from_bytes(&raw));
    if path.is_absolute() {
        return Some(normalize(path));
    }
    let base = match dirfd.map(|d| d as i32 as i64) {
        None | Some(AT_FDCWD) => std::fs::read_link(format!("/proc/{tid}/cwd")).ok()?,
        Some(fd) => fd_path(tid, fd as i32)?,
    };
    Some(normalize(&base.join(path)))
}

fn fd_path(tid: u32, fd: i32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{tid}/fd/{fd}")).ok()
}

/// `.` and `..` folded without the filesystem: the kernel follows a
/// symlink before `..`, this doesn't, so a pattern sees the path as
/// written (and `..` at the root stays there, as in the kernel).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Would the kernel get past its lookup? Where it would not (a missing
/// file, a PATH candidate that isn't there), it answers ENOENT first, and a
/// fault injected there would be one the kernel never gives: glibc's
/// execvp, for one, stops its PATH search at an ETXTBSY, but goes on past
/// an ENOENT.
pub(super) fn kernel_gets_past_lookup(
    tid: u32,
    call: &Decoded,
    path: &Path,
    args: &[u64; 6],
) -> bool {
    match call.needs {
        Needs::Nothing => true,
        Needs::Target => std::fs::metadata(path).is_ok(),
        Needs::TargetNoFollow => std::fs::symlink_metadata(path).is_ok(),
        Needs::Parent => path.parent().is_some_and(|p| std::fs::metadata(p).is_ok()),
        Needs::Source { dirfd, path: at } => at_path(tid, dirfd.map(|d| args[d]), args[at])
            .is_some_and(|s| std::fs::symlink_metadata(s).is_ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Op;
    use std::ffi::CStr;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStringExt;

    fn me() -> u32 {
        std::process::id()
    }

    fn addr(s: &CStr) -> u64 {
        s.as_ptr() as u64
    }

    #[test]
    fn normalize_folds_dots_and_stops_at_the_root() {
        let n = |p: &str| normalize(Path::new(p));
        assert_eq!(n("/a/./b/../c"), Path::new("/a/c"));
        assert_eq!(n("/a/b/../../.."), Path::new("/"));
        assert_eq!(n("/../x"), Path::new("/x"));
        assert_eq!(n("/a//b/"), Path::new("/a/b"));
    }

    #[test]
    fn a_relative_path_resolves_against_the_callers_cwd() {
        let cwd = std::fs::read_link("/proc/self/cwd").unwrap();
        let rel = c"x/../y";
        let want = normalize(&cwd.join("y"));
        // None: a call without a dirfd (open, execve).
        assert_eq!(at_path(me(), None, addr(rel)), Some(want.clone()));
        // AT_FDCWD as an `int` in a 64-bit register: sign-extended, or with
        // whatever the upper half held (here zero).
        let sign_extended = libc::AT_FDCWD as i64 as u64;
        let zero_extended = libc::AT_FDCWD as u32 as u64;
        assert_eq!(
            at_path(me(), Some(sign_extended), addr(rel)),
            Some(want.clone())
        );
        assert_eq!(at_path(me(), Some(zero_extended), addr(rel)), Some(want));
    }

    #[test]
    fn a_relative_path_resolves_against_its_dirfd() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let d = std::fs::File::open(dir.path().join("sub")).unwrap();
        let real = dir.path().canonicalize().unwrap();
        let fd = d.as_raw_fd() as u64;
        let got = at_path(me(), Some(fd), addr(c"./a/../../b")).unwrap();
        assert_eq!(got, real.join("b"));
        // An absolute path ignores the dirfd.
        let got = at_path(me(), Some(fd), addr(c"/etc/../usr")).unwrap();
        assert_eq!(got, Path::new("/usr"));
        // A dirfd that isn't open: no path, so no decision.
        assert_eq!(at_path(me(), Some(999_999), addr(c"b")), None);
    }

    #[test]
    fn target_path_reads_the_argument_the_decoded_call_names() {
        let dir = tempfile::tempdir().unwrap();
        let f = std::fs::File::create(dir.path().join("f")).unwrap();
        let real = dir.path().canonicalize().unwrap();
        let path = c"/p/q";
        let args = [f.as_raw_fd() as u64, addr(path), 0, 0, 0, 0];
        assert_eq!(
            target_path(me(), &Target::Fd(0), &args),
            Some(real.join("f"))
        );
        let at = Target::At {
            dirfd: Some(0),
            path: 1,
        };
        assert_eq!(target_path(me(), &at, &args), Some(PathBuf::from("/p/q")));
    }

    #[test]
    fn the_lookup_check_asks_for_what_the_kernel_needs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::write(d.join("file"), b"").unwrap();
        std::os::unix::fs::symlink(d.join("missing"), d.join("dangling")).unwrap();
        let call = |needs| Decoded {
            op: Op::Open,
            target: Target::Fd(0),
            needs,
            how: None,
        };
        let args = [0; 6];
        let past = |needs, p: &Path| kernel_gets_past_lookup(me(), &call(needs), p, &args);
        assert!(past(Needs::Target, &d.join("file")));
        assert!(!past(Needs::Target, &d.join("missing")));
        assert!(!past(Needs::Target, &d.join("dangling")));
        assert!(past(Needs::TargetNoFollow, &d.join("dangling")));
        assert!(past(Needs::Parent, &d.join("new")));
        assert!(!past(Needs::Parent, &d.join("missing/new")));
        assert!(past(Needs::Nothing, &d.join("missing")));
        // rename's source, read from the caller's memory like the target.
        let src = std::ffi::CString::new(d.join("file").into_os_string().into_vec()).unwrap();
        let gone = std::ffi::CString::new(d.join("gone").into_os_string().into_vec()).unwrap();
        let source = Needs::Source {
            dirfd: None,
            path: 1,
        };
        let with = |s: &CStr| [0, addr(s), 0, 0, 0, 0];
        let dest = d.join("dest");
        assert!(kernel_gets_past_lookup(
            me(),
            &call(source),
            &dest,
            &with(&src)
        ));
        assert!(!kernel_gets_past_lookup(
            me(),
            &call(source),
            &dest,
            &with(&gone)
        ));
    }
}
