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

/// The open flags that make an open `open_write` (see [`open_by_flags`]).
const WRITE_FLAGS: u32 = (libc::O_WRONLY | libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC) as u32;

/// A call the program hands over only for some of its arguments: the
/// check looks at the low 32 bits of `args[arg]` (the flags and requests
/// checked here are all `int`s).
#[derive(Debug, Clone, PartialEq)]
enum Check {
    /// Notify when the argument is one of `values` (ioctl and fcntl
    /// requests).
    OneOf { arg: u32, values: Vec<u64> },
    /// Notify when the argument has a bit of `mask` set (`set`), or none
    /// (`!set`): an open's flags when the plan names only one of `open`
    /// and `open_write`, `unlinkat`'s `AT_REMOVEDIR` when it names only
    /// one of `remove_file` and `remove_dir`.
    Bits { arg: u32, mask: u32, set: bool },
}

impl Check {
    /// Instructions in the call's block: the number's test, the load, the
    /// tests, the allow.
    fn len(&self) -> usize {
        match self {
            Check::OneOf { values, .. } => 3 + values.len(),
            Check::Bits { .. } => 4,
        }
    }
}

/// The calls that are handed over only for some arguments, given the
/// operations the plan names. A call of an operation the plan doesn't name
/// can never match it, so it never needs the 20 µs round trip: `cp -r`
/// under an `open_write` rule used to hand over its reads too.
fn narrowed(ops: &[Op]) -> Vec<(libc::c_long, Check)> {
    let has = |op| ops.contains(&op);
    let mut out = vec![
        (
            libc::SYS_ioctl,
            Check::OneOf {
                arg: 1,
                values: vec![FICLONE, FICLONERANGE],
            },
        ),
        (
            libc::SYS_fcntl,
            Check::OneOf {
                arg: 1,
                values: LOCK_CMDS.to_vec(),
            },
        ),
    ];
    // One of the two opens only: the flags decide (openat2's are behind a
    // pointer the program can't follow, so it is handed over whole).
    if has(Op::Open) != has(Op::OpenWrite) {
        let set = has(Op::OpenWrite);
        #[cfg(target_arch = "x86_64")]
        out.push((
            libc::SYS_open,
            Check::Bits {
                arg: 1,
                mask: WRITE_FLAGS,
                set,
            },
        ));
        out.push((
            libc::SYS_openat,
            Check::Bits {
                arg: 2,
                mask: WRITE_FLAGS,
                set,
            },
        ));
    }
    if has(Op::RemoveFile) != has(Op::RemoveDir) {
        out.push((
            libc::SYS_unlinkat,
            Check::Bits {
                arg: 2,
                mask: libc::AT_REMOVEDIR as u32,
                set: has(Op::RemoveDir),
            },
        ));
    }
    out
}

/// The BPF program for a plan that names `ops`: notify on their calls,
/// allow everything else. Calls of another ABI (32-bit x86 programs, x32)
/// carry another arch or number, and are allowed: the docs say so.
pub(super) fn program(ops: &[Op]) -> Vec<libc::sock_filter> {
    let mut watched: Vec<libc::c_long> = Vec::new();
    for &op in ops {
        for &nr in syscalls_of(op) {
            if !watched.contains(&nr) {
                watched.push(nr);
            }
        }
    }
    // x86_64's `creat` always writes: with `open` alone it can't match.
    #[cfg(target_arch = "x86_64")]
    if !ops.contains(&Op::OpenWrite) {
        watched.retain(|&nr| nr != libc::SYS_creat);
    }
    let narrowed: Vec<(libc::c_long, Check)> = narrowed(ops)
        .into_iter()
        .filter(|(nr, _)| watched.contains(nr))
        .collect();
    let plain: Vec<libc::c_long> = watched
        .into_iter()
        .filter(|nr| !narrowed.iter().any(|(n, _)| n == nr))
        .collect();
    let stmt = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump = |op: u32, k: u32, jt: usize, jf: usize| libc::sock_filter {
        code: (libc::BPF_JMP | op | libc::BPF_K) as u16,
        // Jumps are relative and 8-bit: the table has at most 31 plain
        // calls and 5 narrowed ones (x86_64), well within reach.
        jt: u8::try_from(jt).expect("a jump within 255"),
        jf: u8::try_from(jf).expect("a jump within 255"),
        k,
    };
    let load = |offset: u32| stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, offset);
    let ret = |k: u32| stmt(libc::BPF_RET | libc::BPF_K, k);
    // seccomp_data: nr at 0, arch at 4, args from 16 (8 bytes each; the
    // low half first on a little-endian machine).
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    let arg_low = |arg: u32| 16 + 8 * arg;

    let mut p = vec![
        load(ARCH),
        jump(libc::BPF_JEQ, AUDIT_ARCH, 1, 0),
        ret(libc::SECCOMP_RET_ALLOW),
        load(NR),
    ];
    // Laid out as: the plain checks, each jumping to NOTIFY (the last
    // instruction); the narrowed blocks; ALLOW; NOTIFY.
    let narrowed_len: usize = narrowed.iter().map(|(_, c)| c.len()).sum();
    let total = p.len() + plain.len() + narrowed_len + 2;
    let notify_at = total - 1;
    let to_notify = |here: usize| notify_at - here - 1;
    for &nr in &plain {
        p.push(jump(libc::BPF_JEQ, nr as u32, to_notify(p.len()), 0));
    }
    for (nr, check) in &narrowed {
        // jeq nr ? next : skip the block; load the argument; its tests
        // (NOTIFY, or on); allow. The accumulator then holds an argument,
        // not the number: the block ends in a return either way.
        p.push(jump(libc::BPF_JEQ, *nr as u32, 0, check.len() - 1));
        match check {
            Check::OneOf { arg, values } => {
                p.push(load(arg_low(*arg)));
                for &v in values {
                    p.push(jump(libc::BPF_JEQ, v as u32, to_notify(p.len()), 0));
                }
            }
            Check::Bits { arg, mask, set } => {
                p.push(load(arg_low(*arg)));
                let n = to_notify(p.len());
                let (jt, jf) = if *set { (n, 0) } else { (0, n) };
                p.push(jump(libc::BPF_JSET, *mask, jt, jf));
            }
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
    fn verdict(p: &[libc::sock_filter], arch: u32, nr: i32, args: &[u64; 6]) -> u32 {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_ne_bytes());
        data[4..8].copy_from_slice(&arch.to_ne_bytes());
        for (i, a) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_ne_bytes());
        }
        let (mut pc, mut acc) = (0usize, 0u32);
        loop {
            let i = p[pc];
            let class = u32::from(i.code) & 0x07;
            if class == libc::BPF_LD {
                let k = i.k as usize;
                acc = u32::from_ne_bytes(data[k..k + 4].try_into().unwrap());
                pc += 1;
            } else if class == libc::BPF_JMP {
                let taken = match u32::from(i.code) & 0xf0 {
                    libc::BPF_JEQ => acc == i.k,
                    libc::BPF_JSET => acc & i.k != 0,
                    other => panic!("a jump the program doesn't use: {other:#x}"),
                };
                pc += 1 + usize::from(if taken { i.jt } else { i.jf });
            } else {
                return i.k;
            }
        }
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

    /// The program and the decoder agree: a call is handed over exactly
    /// when the decoder would make it an operation the plan names, for
    /// every watched call and the flags and requests that change its
    /// operation (openat2's flags are behind a pointer: handed over
    /// whenever an open is named). Breaking a jump, a mask or the sense of
    /// a flag test fails it.
    #[test]
    fn the_program_hands_over_exactly_the_calls_the_plan_can_match() {
        #[allow(clippy::unnecessary_cast)] // an u32 on some targets
        let tcgets = libc::TCGETS as u64;
        let values: Vec<u64> = vec![
            0,
            libc::O_WRONLY as u64,
            libc::O_RDWR as u64,
            libc::O_CREAT as u64,
            libc::O_TRUNC as u64,
            (libc::O_DIRECTORY | libc::O_CLOEXEC) as u64,
            (libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC) as u64,
            libc::AT_REMOVEDIR as u64,
            FICLONE,
            libc::F_SETLK as u64,
            libc::F_GETFL as u64,
            tcgets,
        ];
        let plans: Vec<Vec<Op>> = vec![
            vec![],
            vec![Op::Open],
            vec![Op::OpenWrite],
            vec![Op::Open, Op::OpenWrite],
            vec![Op::RemoveFile],
            vec![Op::RemoveDir],
            vec![Op::RemoveFile, Op::RemoveDir],
            vec![Op::Copy, Op::Lock],
            vec![Op::OpenWrite, Op::RemoveDir, Op::Exec, Op::Rename],
            Op::ALL.into_iter().filter(|&o| o != Op::Spawn).collect(),
        ];
        let mut all: Vec<libc::c_long> =
            Op::ALL.into_iter().flat_map(syscalls_of).copied().collect();
        all.push(libc::SYS_getpid);
        let mut checked = 0;
        for ops in &plans {
            let p = program(ops);
            for &nr in &all {
                for &v in &values {
                    for arg in 1..=2 {
                        let mut args = [0u64; 6];
                        args[arg] = v;
                        let want = match decode(nr as i32, &args) {
                            Some(d) if d.how.is_some() => {
                                ops.contains(&Op::Open) || ops.contains(&Op::OpenWrite)
                            }
                            Some(d) => ops.contains(&d.op),
                            None => false,
                        };
                        let got = verdict(&p, AUDIT_ARCH, nr as i32, &args)
                            == libc::SECCOMP_RET_USER_NOTIF;
                        assert_eq!(got, want, "{ops:?}: call {nr}, args[{arg}] = {v:#x}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000);
        // Another ABI's numbers mean other calls: let through.
        let p = program(&[Op::Rename]);
        let args = [0; 6];
        let nr = libc::SYS_renameat2 as i32;
        assert_eq!(
            verdict(&p, AUDIT_ARCH, nr, &args),
            libc::SECCOMP_RET_USER_NOTIF
        );
        assert_eq!(verdict(&p, 0x4000_0003, nr, &args), libc::SECCOMP_RET_ALLOW);
    }
}
