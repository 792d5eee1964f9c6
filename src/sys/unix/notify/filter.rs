//! Which system calls stand for which operation, and the BPF program that
//! hands exactly those to the supervisor: the one table of the mapping
//! (`fault`'s module docs print it for users).
//!
//! Calls the program doesn't list never leave the kernel: they cost the
//! filter's few instructions (130 to 350 ns measured in the spike,
//! `docs/seccomp-spike.md`). `ioctl` and `fcntl` are narrowed by their
//! request in the program itself, or every terminal `ioctl(TCGETS)` and
//! every `fcntl(F_GETFL)` would be a 20 µs round trip.

// libc's SYS_* names, matched on.
#![allow(non_upper_case_globals)]

use crate::classify::Op;

/// `AT_FDCWD`, as the `*at` calls receive it (an `int`, sign-extended).
pub(super) const AT_FDCWD: i64 = libc::AT_FDCWD as i64;

/// `FICLONE` and `FICLONERANGE`: `cp`'s reflink attempts, tried before
/// `copy_file_range` (seen in the spike).
const FICLONE: u64 = 0x4004_9409;
const FICLONERANGE: u64 = 0x4020_940d;

/// The `fcntl` commands that take a lock (classic and open-file-description
/// locks; `F_GETLK` only asks).
const LOCK_CMDS: [u64; 4] = [
    libc::F_SETLK as u64,
    libc::F_SETLKW as u64,
    libc::F_OFD_SETLK as u64,
    libc::F_OFD_SETLKW as u64,
];

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// Where a call's path is, in its arguments (indexes into `args`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Target {
    /// A path at `args[path]`, relative to the directory open on
    /// `args[dirfd]` (`None`: the working directory).
    At { dirfd: Option<usize>, path: usize },
    /// The file open on the descriptor `args[fd]`.
    Fd(usize),
}

/// What has to exist for the kernel to get past its lookup: where it does
/// not, the kernel answers ENOENT (or ENOTDIR) and nothing else, so a fault
/// injected there would be one the kernel never gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Needs {
    /// The target itself, symlinks followed (exec, open, chmod).
    Target,
    /// The target itself, not followed (unlink, rmdir).
    TargetNoFollow,
    /// The directory the target would be made in (creating calls).
    Parent,
    /// The source at `args[path]` relative to `args[dirfd]` (rename and link,
    /// whose target is the destination).
    Source { dirfd: Option<usize>, path: usize },
    /// Nothing: the descriptor is open already.
    Nothing,
}

/// One watched call, decoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Decoded {
    pub(super) op: Op,
    pub(super) target: Target,
    pub(super) needs: Needs,
    /// `openat2`: the address of its `struct open_how`, whose first field
    /// (the flags) decides between `open` and `open_write`.
    pub(super) how: Option<usize>,
}

/// The system calls each operation is watched through.
fn syscalls_of(op: Op) -> &'static [libc::c_long] {
    use libc::*;
    match op {
        Op::Spawn | Op::Exec => &[SYS_execve, SYS_execveat],
        #[cfg(target_arch = "x86_64")]
        Op::Open | Op::OpenWrite => &[SYS_open, SYS_openat, SYS_openat2, SYS_creat],
        #[cfg(target_arch = "aarch64")]
        Op::Open | Op::OpenWrite => &[SYS_openat, SYS_openat2],
        Op::Write => &[
            SYS_write,
            SYS_pwrite64,
            SYS_writev,
            SYS_pwritev,
            SYS_pwritev2,
        ],
        #[cfg(target_arch = "x86_64")]
        Op::Rename => &[
            SYS_rename,
            SYS_renameat,
            SYS_renameat2,
            SYS_link,
            SYS_linkat,
        ],
        #[cfg(target_arch = "aarch64")]
        Op::Rename => &[SYS_renameat, SYS_renameat2, SYS_linkat],
        #[cfg(target_arch = "x86_64")]
        Op::RemoveFile => &[SYS_unlink, SYS_unlinkat],
        #[cfg(target_arch = "x86_64")]
        Op::RemoveDir => &[SYS_rmdir, SYS_unlinkat],
        #[cfg(target_arch = "aarch64")]
        Op::RemoveFile | Op::RemoveDir => &[SYS_unlinkat],
        Op::Copy => &[SYS_copy_file_range, SYS_sendfile, SYS_ioctl],
        Op::Sync => &[SYS_fsync, SYS_fdatasync, SYS_syncfs],
        #[cfg(target_arch = "x86_64")]
        Op::CreateDir => &[SYS_mkdir, SYS_mkdirat],
        #[cfg(target_arch = "aarch64")]
        Op::CreateDir => &[SYS_mkdirat],
        #[cfg(target_arch = "x86_64")]
        Op::SetPermissions => &[SYS_chmod, SYS_fchmod, SYS_fchmodat, SYS_fchmodat2],
        #[cfg(target_arch = "aarch64")]
        Op::SetPermissions => &[SYS_fchmod, SYS_fchmodat, SYS_fchmodat2],
        Op::Lock => &[SYS_flock, SYS_fcntl],
        // Closing and reading metadata happen on every path of every
        // program (the loader alone stats dozens): not watched in children.
        Op::Close | Op::Metadata => &[],
    }
}

/// A call with no `open_how` to read.
fn decoded(op: Op, target: Target, needs: Needs) -> Option<Decoded> {
    Some(Decoded {
        op,
        target,
        needs,
        how: None,
    })
}

/// An open, by its flags: writing, truncating or creating is `open_write`.
pub(super) fn open_by_flags(flags: u64, target: Target) -> Decoded {
    use libc::{O_CREAT, O_RDWR, O_TRUNC, O_WRONLY};
    let (op, needs) = if flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC) as u64 == 0 {
        (Op::Open, Needs::Target)
    } else if flags & O_CREAT as u64 != 0 {
        (Op::OpenWrite, Needs::Parent)
    } else {
        (Op::OpenWrite, Needs::Target)
    };
    Decoded {
        op,
        target,
        needs,
        how: None,
    }
}

/// Decode a watched call from its number and arguments; `None` for a call
/// the program lets through (or one it didn't ask about).
pub(super) fn decode(nr: i32, args: &[u64; 6]) -> Option<Decoded> {
    use libc::*;
    let nr = libc::c_long::from(nr);
    let at = |dirfd, path| Target::At { dirfd, path };
    let d = decoded;
    let open = |flags, target| Some(open_by_flags(flags, target));
    match nr {
        SYS_execve => d(Op::Exec, at(None, 0), Needs::Target),
        SYS_execveat if args[4] & AT_EMPTY_PATH as u64 != 0 => {
            d(Op::Exec, Target::Fd(0), Needs::Nothing)
        }
        SYS_execveat => d(Op::Exec, at(Some(0), 1), Needs::Target),
        SYS_openat => open(args[2], at(Some(0), 1)),
        SYS_openat2 => Some(Decoded {
            how: Some(2),
            ..open(0, at(Some(0), 1))?
        }),
        SYS_write | SYS_pwrite64 | SYS_writev | SYS_pwritev | SYS_pwritev2 => {
            d(Op::Write, Target::Fd(0), Needs::Nothing)
        }
        SYS_renameat | SYS_renameat2 | SYS_linkat => d(
            Op::Rename,
            at(Some(2), 3),
            Needs::Source {
                dirfd: Some(0),
                path: 1,
            },
        ),
        SYS_unlinkat if args[2] & AT_REMOVEDIR as u64 != 0 => {
            d(Op::RemoveDir, at(Some(0), 1), Needs::TargetNoFollow)
        }
        SYS_unlinkat => d(Op::RemoveFile, at(Some(0), 1), Needs::TargetNoFollow),
        SYS_copy_file_range => d(Op::Copy, Target::Fd(2), Needs::Nothing),
        SYS_sendfile => d(Op::Copy, Target::Fd(0), Needs::Nothing),
        SYS_ioctl if [FICLONE, FICLONERANGE].contains(&(args[1] & 0xffff_ffff)) => {
            d(Op::Copy, Target::Fd(0), Needs::Nothing)
        }
        SYS_fsync | SYS_fdatasync | SYS_syncfs => d(Op::Sync, Target::Fd(0), Needs::Nothing),
        SYS_mkdirat => d(Op::CreateDir, at(Some(0), 1), Needs::Parent),
        SYS_fchmod => d(Op::SetPermissions, Target::Fd(0), Needs::Nothing),
        SYS_fchmodat | SYS_fchmodat2 => d(Op::SetPermissions, at(Some(0), 1), Needs::Target),
        SYS_flock => d(Op::Lock, Target::Fd(0), Needs::Nothing),
        SYS_fcntl if LOCK_CMDS.contains(&(args[1] & 0xffff_ffff)) => {
            d(Op::Lock, Target::Fd(0), Needs::Nothing)
        }
        _ => decode_legacy(nr, args),
    }
}

/// The calls without a directory argument, which aarch64 never had.
#[cfg(target_arch = "x86_64")]
fn decode_legacy(nr: libc::c_long, args: &[u64; 6]) -> Option<Decoded> {
    use libc::*;
    let at = |path| Target::At { dirfd: None, path };
    let d = decoded;
    match nr {
        SYS_open => Some(open_by_flags(args[1], at(0))),
        SYS_creat => d(Op::OpenWrite, at(0), Needs::Parent),
        SYS_rename | SYS_link => d(
            Op::Rename,
            at(1),
            Needs::Source {
                dirfd: None,
                path: 0,
            },
        ),
        SYS_unlink => d(Op::RemoveFile, at(0), Needs::TargetNoFollow),
        SYS_rmdir => d(Op::RemoveDir, at(0), Needs::TargetNoFollow),
        SYS_mkdir => d(Op::CreateDir, at(0), Needs::Parent),
        SYS_chmod => d(Op::SetPermissions, at(0), Needs::Target),
        _ => None,
    }
}

#[cfg(target_arch = "aarch64")]
fn decode_legacy(_: libc::c_long, _: &[u64; 6]) -> Option<Decoded> {
    None
}

/// The BPF program for a plan that names `ops`: notify on their calls,
/// allow everything else. Calls of another ABI (32-bit x86 programs, x32)
/// carry another arch or number, and are allowed: the docs say so.
pub(super) fn program(ops: &[Op]) -> Vec<libc::sock_filter> {
    let mut plain: Vec<libc::c_long> = Vec::new();
    let (mut ioctl, mut fcntl) = (false, false);
    for &op in ops {
        for &nr in syscalls_of(op) {
            match nr {
                libc::SYS_ioctl => ioctl = true,
                libc::SYS_fcntl => fcntl = true,
                nr if !plain.contains(&nr) => plain.push(nr),
                _ => {}
            }
        }
    }
    let stmt = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jeq = |k: u32, jt: u8, jf: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf,
        k,
    };
    let load = |offset: u32| stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, offset);
    let ret = |k: u32| stmt(libc::BPF_RET | libc::BPF_K, k);
    // seccomp_data: nr at 0, arch at 4, args from 16 (8 bytes each; the
    // low half first on a little-endian machine).
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const ARG1_LOW: u32 = 16 + 8;

    let mut p = vec![
        load(ARCH),
        jeq(AUDIT_ARCH, 1, 0),
        ret(libc::SECCOMP_RET_ALLOW),
        load(NR),
    ];
    // Narrowed calls: their number, then their request in args[1].
    let mut narrowed: Vec<(libc::c_long, Vec<u64>)> = Vec::new();
    if ioctl {
        narrowed.push((libc::SYS_ioctl, vec![FICLONE, FICLONERANGE]));
    }
    if fcntl {
        narrowed.push((libc::SYS_fcntl, LOCK_CMDS.to_vec()));
    }
    // Laid out as: the plain checks, each jumping to NOTIFY (the last
    // instruction); the narrowed blocks; ALLOW; NOTIFY. Jumps are relative
    // and 8-bit: the table has at most 31 plain calls and 2 narrowed ones
    // (x86_64), well within reach.
    let narrowed_len: usize = narrowed.iter().map(|(_, v)| 3 + v.len()).sum();
    let total = p.len() + plain.len() + narrowed_len + 2;
    let notify_at = total - 1;
    for &nr in &plain {
        let here = p.len();
        p.push(jeq(nr as u32, (notify_at - here - 1) as u8, 0));
    }
    for (nr, values) in &narrowed {
        // jeq nr ? next : skip the block; load args[1]; jeq v ? NOTIFY : next ...; allow
        p.push(jeq(*nr as u32, 0, (values.len() + 2) as u8));
        p.push(load(ARG1_LOW));
        for &v in values {
            let here = p.len();
            p.push(jeq(v as u32, (notify_at - here - 1) as u8, 0));
        }
        p.push(ret(libc::SECCOMP_RET_ALLOW));
    }
    p.push(ret(libc::SECCOMP_RET_ALLOW));
    p.push(ret(libc::SECCOMP_RET_USER_NOTIF));
    debug_assert_eq!(p.len(), total);
    p
}

/// The support probe's program: notify `getppid`, allow the rest.
pub(super) fn probe_program() -> Vec<libc::sock_filter> {
    let mut p = program(&[]);
    let notify = libc::sock_filter {
        code: (libc::BPF_RET | libc::BPF_K) as u16,
        jt: 0,
        jf: 0,
        k: libc::SECCOMP_RET_USER_NOTIF,
    };
    // [.., load nr, allow, notify]: a check before the final allow.
    let at = p.len() - 2;
    p.insert(
        at,
        libc::sock_filter {
            code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
            jt: 1,
            jf: 0,
            k: libc::SYS_getppid as u32,
        },
    );
    let last = p.len() - 1;
    p[last] = notify;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run the program on a call the way the kernel would (the subset of
    /// classic BPF it uses), to check the jumps without installing it.
    fn verdict(p: &[libc::sock_filter], arch: u32, nr: i32, arg1: u64) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_ne_bytes());
        data[4..8].copy_from_slice(&arch.to_ne_bytes());
        data[24..32].copy_from_slice(&arg1.to_ne_bytes());
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = p[pc];
            let class = u32::from(i.code) & 0x07;
            if class == libc::BPF_LD {
                let k = i.k as usize;
                acc = u32::from_ne_bytes(data[k..k + 4].try_into().unwrap());
                pc += 1;
            } else if class == libc::BPF_JMP {
                pc += 1 + usize::from(if acc == i.k { i.jt } else { i.jf });
            } else {
                return i.k;
            }
        }
    }

    #[test]
    fn the_program_notifies_exactly_the_calls_of_the_named_operations() {
        let p = program(&[Op::Rename, Op::Copy, Op::Lock]);
        let n = |nr: libc::c_long, arg1| verdict(&p, AUDIT_ARCH, nr as i32, arg1);
        let notify = libc::SECCOMP_RET_USER_NOTIF;
        let allow = libc::SECCOMP_RET_ALLOW;
        assert_eq!(n(libc::SYS_renameat2, 0), notify);
        assert_eq!(n(libc::SYS_linkat, 0), notify);
        assert_eq!(n(libc::SYS_copy_file_range, 0), notify);
        assert_eq!(n(libc::SYS_openat, 0), allow);
        assert_eq!(n(libc::SYS_ioctl, FICLONE), notify);
        #[allow(clippy::unnecessary_cast)] // an u32 on some targets
        let tcgets = libc::TCGETS as u64;
        assert_eq!(n(libc::SYS_ioctl, tcgets), allow);
        assert_eq!(n(libc::SYS_fcntl, libc::F_SETLKW as u64), notify);
        assert_eq!(n(libc::SYS_fcntl, libc::F_GETFL as u64), allow);
        assert_eq!(n(libc::SYS_flock, 0), notify);
        // Another ABI's numbers mean other calls: let through.
        assert_eq!(
            verdict(&p, 0x4000_0003, libc::SYS_renameat2 as i32, 0),
            allow
        );
        let none = program(&[]);
        assert_eq!(
            verdict(&none, AUDIT_ARCH, libc::SYS_renameat2 as i32, 0),
            allow
        );
    }

    #[test]
    fn every_watched_call_decodes_to_its_operation() {
        for op in Op::ALL {
            for &nr in syscalls_of(op) {
                let mut args = [0u64; 6];
                if nr == libc::SYS_ioctl {
                    args[1] = FICLONE;
                }
                if nr == libc::SYS_fcntl {
                    args[1] = libc::F_SETLK as u64;
                }
                if op == Op::RemoveDir && nr == libc::SYS_unlinkat {
                    args[2] = libc::AT_REMOVEDIR as u64;
                }
                if op == Op::OpenWrite && nr == libc::SYS_openat {
                    args[2] = libc::O_WRONLY as u64;
                }
                let d = decode(nr as i32, &args).unwrap_or_else(|| panic!("{op:?} {nr}"));
                let want = match op {
                    Op::Spawn => Op::Exec,
                    Op::OpenWrite if nr != libc::SYS_openat => d.op, // flags decide
                    Op::Open => d.op,
                    o => o,
                };
                assert_eq!(d.op, want, "{op:?} {nr}");
            }
        }
        assert_eq!(decode(libc::SYS_getpid as i32, &[0; 6]), None);
    }
}
