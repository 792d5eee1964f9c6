//! What kind of filesystem a directory is on, asked once per device: the
//! drain barrier trusts a read lease only where the filesystem is known to
//! answer it honestly, and on network filesystems it writes from a child.

use std::collections::HashMap;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Mutex;

use crate::sys::types::{DirFacts, FsKind};

/// What is known per device: its kind (one `statfs`), and whether a read
/// lease was ever refused there as unsupported.
#[derive(Clone, Copy)]
struct Known {
    kind: FsKind,
    leases_failed: bool,
}

static CACHE: Mutex<Option<HashMap<u64, Known>>> = Mutex::new(None);

fn cache() -> std::sync::MutexGuard<'static, Option<HashMap<u64, Known>>> {
    CACHE.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the installer needs to know about `dir`, from one `stat` of it: the
/// filesystem's kind (`statfs` once per device, then cached: on NFS a statfs
/// is a round trip to the server), whether leases were seen to work there,
/// whether the lease alone decides the barrier there, and whether only we
/// can change its entries.
pub(crate) fn dir_facts(dir: &Path) -> io::Result<DirFacts> {
    let meta = std::fs::metadata(dir)?;
    let dev = meta.dev();
    // SAFETY: geteuid can't fail.
    let private = meta.uid() == unsafe { libc::geteuid() } && meta.mode() & 0o022 == 0;
    let cached = cache().get_or_insert_with(HashMap::new).get(&dev).copied();
    let known = match cached {
        Some(known) => known,
        None => {
            let kind = match ask(dir) {
                Ok(kind) => kind,
                // Missing or not a directory: the caller's error to see.
                Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => {
                    return Err(e);
                }
                // Anything else (EOVERFLOW from a 32-bit statfs on a huge
                // filesystem, a FUSE server's error): unknown, so the
                // barrier trusts no probe alone.
                Err(_) => FsKind::Unknown,
            };
            let known = Known {
                kind,
                leases_failed: false,
            };
            cache().get_or_insert_with(HashMap::new).insert(dev, known);
            known
        }
    };
    // Linux's read lease is refused exactly while the inode has a writer,
    // on every local filesystem (the VFS's generic_setlease); elsewhere
    // there is no lease, and on other filesystems its refusal needs flock's
    // word.
    let lease_decides = cfg!(any(target_os = "linux", target_os = "android"))
        && matches!(known.kind, FsKind::Local(_))
        && !known.leases_failed;
    Ok(DirFacts {
        kind: known.kind,
        dev,
        private,
        lease_decides,
    })
}

/// The kind of filesystem `dir` is on.
pub(crate) fn fs_kind(dir: &Path) -> io::Result<FsKind> {
    dir_facts(dir).map(|f| f.kind)
}

/// The lease was unsupported on device `dev` after all (leases disabled
/// by `fs.leases-enable`, a filesystem that opts out): from now on the
/// installer takes the writer's flock there again.
pub(crate) fn note_leases_fail(dev: u64) {
    if let Some(known) = cache().get_or_insert_with(HashMap::new).get_mut(&dev) {
        known.leases_failed = true;
    }
}

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
fn statfs(dir: &Path) -> io::Result<libc::statfs> {
    let c = std::ffi::CString::new(std::os::unix::ffi::OsStrExt::as_bytes(dir.as_os_str()))?;
    // SAFETY: statfs fills the zeroed struct we own; `c` is a valid C string.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    super::files::cvt(unsafe { libc::statfs(c.as_ptr(), &mut st) })?;
    Ok(st)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn ask(dir: &Path) -> io::Result<FsKind> {
    let st = statfs(dir)?;
    // f_type is a signed word: on 32-bit glibc the CIFS and SMB2 magics are
    // negative, and a plain `as u64` would sign-extend them.
    Ok(from_linux_magic(st.f_type as u32 as u64))
}

#[cfg(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
fn ask(dir: &Path) -> io::Result<FsKind> {
    let st = statfs(dir)?;
    let name: Vec<u8> = st
        .f_fstypename
        .iter()
        .take_while(|c| **c != 0)
        .map(|c| *c as u8)
        .collect();
    Ok(from_bsd_name(&String::from_utf8_lossy(&name)))
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
)))]
fn ask(_dir: &Path) -> io::Result<FsKind> {
    Ok(FsKind::Unknown)
}

/// Linux `statfs.f_type` magic numbers (linux/magic.h and the filesystems'
/// own headers).
#[cfg_attr(not(any(target_os = "linux", target_os = "android")), allow(dead_code))]
pub(crate) fn from_linux_magic(magic: u64) -> FsKind {
    match magic {
        0xEF53 => FsKind::Local("ext4"), // ext2/3/4 share it
        0x5846_5342 => FsKind::Local("xfs"),
        0x9123_683E => FsKind::Local("btrfs"),
        0x0102_1994 => FsKind::Local("tmpfs"),
        0x8584_58F6 => FsKind::Local("ramfs"),
        0x794C_7630 => FsKind::Local("overlayfs"),
        0x2FC1_2FC1 => FsKind::Local("zfs"),
        0xF2F5_2010 => FsKind::Local("f2fs"),
        0x6969 => FsKind::Network("nfs"),
        0x517B => FsKind::Network("smb"),
        0xFF53_4D42 => FsKind::Network("cifs"),
        0xFE53_4D42 => FsKind::Network("smb2"),
        0x00C3_6400 => FsKind::Network("ceph"),
        0x0102_1997 => FsKind::Network("9p"),
        0x5346_414F => FsKind::Network("afs"),
        0x0116_1970 => FsKind::Network("gfs2"),
        0x7461_636F => FsKind::Network("ocfs2"),
        0x0BD0_0BD0 => FsKind::Network("lustre"),
        0x6573_5546 => FsKind::Fuse,
        _ => FsKind::Unknown,
    }
}

/// BSD and macOS `statfs.f_fstypename`.
#[cfg_attr(
    not(any(
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    )),
    allow(dead_code)
)]
pub(crate) fn from_bsd_name(name: &str) -> FsKind {
    match name {
        "apfs" => FsKind::Local("apfs"),
        "hfs" => FsKind::Local("hfs"),
        "ufs" => FsKind::Local("ufs"),
        "zfs" => FsKind::Local("zfs"),
        "tmpfs" => FsKind::Local("tmpfs"),
        "nfs" => FsKind::Network("nfs"),
        "smbfs" => FsKind::Network("smb"),
        "afpfs" => FsKind::Network("afp"),
        "webdav" => FsKind::Network("webdav"),
        n if n.starts_with("fuse") || n.starts_with("macfuse") || n == "osxfuse" => FsKind::Fuse,
        _ => FsKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_sort_network_from_local() {
        assert_eq!(from_linux_magic(0xEF53), FsKind::Local("ext4"));
        assert_eq!(from_linux_magic(0x6969), FsKind::Network("nfs"));
        assert_eq!(from_linux_magic(0xFF53_4D42), FsKind::Network("cifs"));
        assert_eq!(from_linux_magic(0x6573_5546), FsKind::Fuse);
        assert_eq!(from_linux_magic(0x1234), FsKind::Unknown);
        assert_eq!(from_bsd_name("nfs"), FsKind::Network("nfs"));
        assert_eq!(from_bsd_name("apfs"), FsKind::Local("apfs"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machines_temp_dir_is_classified_and_cached() {
        let dir = tempfile::tempdir().unwrap();
        let first = fs_kind(dir.path()).unwrap();
        assert_eq!(fs_kind(dir.path()).unwrap(), first);
        assert_eq!(fs_kind(Path::new("/proc")).unwrap(), FsKind::Unknown);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn where_leases_turn_out_unsupported_the_lease_stops_deciding_alone() {
        // /dev/shm: a tmpfs of its own, which no other test here installs on.
        let shm = Path::new("/dev/shm");
        if !shm.is_dir() {
            return;
        }
        let before = dir_facts(shm).unwrap();
        assert_eq!(before.kind, FsKind::Local("tmpfs"));
        assert!(before.lease_decides);
        note_leases_fail(before.dev);
        assert!(!dir_facts(shm).unwrap().lease_decides);
    }

    #[test]
    fn a_dir_only_we_can_change_is_private_and_a_shared_one_is_not() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap(); // 0o700, ours
        assert!(dir_facts(dir.path()).unwrap().private);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(dir_facts(dir.path()).unwrap().private);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
        assert!(!dir_facts(dir.path()).unwrap().private);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(!dir_facts(dir.path()).unwrap().private);
        // Not ours (unless we are root, who owns /).
        // SAFETY: geteuid can't fail.
        let euid = unsafe { libc::geteuid() };
        let root_owned = std::fs::metadata("/").unwrap().uid() == euid;
        assert_eq!(dir_facts(Path::new("/")).unwrap().private, root_owned);
    }
}
