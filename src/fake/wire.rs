//! The files a fake directory holds, and their encoding: shared, as source,
//! by the library (which writes specs and reads records) and by the shim
//! (`shim/main.rs` includes this file by path), so the two can't drift.
//!
//! Pure and std-only: no OS calls, no `crate::` paths (the shim is built
//! without the library). Strings that came from the OS (arguments, env
//! values, the cwd) travel as [`OsBytes`]: the exact bytes on Unix, the
//! exact UTF-16 units on Windows (unpaired surrogates included), so nothing
//! is lost or re-encoded on the way.
//!
//! Layout of a fake directory `root/`:
//!
//! | path | written by | what |
//! |---|---|---|
//! | `bin/NAME` (`NAME.exe`) | library | the shim, hard-linked or copied |
//! | `spec/NAME` | library | [`Spec`], replaced by rename |
//! | `calls/N` | shim | [`Start`], then [`End`] appended; linked in whole (claims call N) |
//! | `calls/live-PID-R` | shim | Windows only: held locked while the call runs |
//! | `calls/N.stdin` | shim | the captured stdin, renamed in before the end |
//! | `calls/hint`, `steps/F-R.hint` | shim | a recently claimed number, where claims start |
//! | `steps/F-R-K` | shim | empty; created exclusively, claims step K of rule R of fake F |
//! | `release/F-R`, `release/all` | library | empty; ends the hangs of rule R of fake F |
//!
//! Call numbers start at 1 and are claimed by trying 1, 2, 3, ... with an
//! exclusive create (a hard link, which fails if the name exists). A claimer
//! moves past N only once N exists, and nothing is ever removed, so the
//! claimed numbers are always 1..=M with no gap, under any concurrency.

// Each side uses its half; `pub` is for the shim, where this is a module of
// a binary.
#![allow(dead_code, unreachable_pub)]

use std::io;

/// The first bytes of each file, with a version: a shim built from another
/// version of this file refuses a spec it can't read instead of misreading it.
pub const SPEC_MAGIC: &[u8; 8] = b"FPSPEC01";
/// See [`SPEC_MAGIC`].
pub const START_MAGIC: &[u8; 8] = b"FPCALL01";
/// See [`SPEC_MAGIC`].
pub const END_MAGIC: &[u8; 8] = b"FPEND001";

/// The exit code of a call no rule answers (and of a shim that can't read
/// its spec), unless the fake sets its own.
pub const UNEXPECTED_EXIT: u32 = 97;

/// The environment variable that makes the shim print its argument back and
/// exit 0 without reading any spec or writing any record: the self-test run
/// when a fake directory is made.
pub const SELF_TEST_ENV: &str = "FLAKEPROOF_SHIM_SELF_TEST";

/// A string from the OS, exactly: bytes on Unix, UTF-16 units on Windows
/// (two bytes each, little-endian).
pub type OsBytes = Vec<u8>;

/// How a rule matches a call's arguments (argv without argv\[0\]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// Any arguments.
    Any,
    /// Exactly these.
    Exact(Vec<OsBytes>),
    /// These first, then anything.
    Prefix(Vec<OsBytes>),
    /// Each of these somewhere, in any order.
    Contains(Vec<OsBytes>),
}

impl Match {
    /// Whether `args` match.
    pub fn matches(&self, args: &[OsBytes]) -> bool {
        match self {
            Match::Any => true,
            Match::Exact(want) => args == want.as_slice(),
            Match::Prefix(want) => args.starts_with(want),
            Match::Contains(want) => want.iter().all(|w| args.contains(w)),
        }
    }
}

/// How a reply ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finish {
    /// Exit with this code (Unix keeps its low 8 bits).
    Exit(u32),
    /// Die by this signal (Unix).
    Signal(i32),
    /// Run this program with the same arguments, stdin, stdout and stderr,
    /// and end as it ends.
    Passthrough(OsBytes),
}

/// One behaviour: in this order, wait `delay_us`, write `stdout` and
/// `stderr`, copy stdin to stdout if `echo_stdin`, hang until released if
/// `hang`, then [`Finish`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub delay_us: u64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub echo_stdin: bool,
    pub hang: bool,
    pub finish: Finish,
}

/// What a rule with a sequence of replies does once each has been given.
///
/// Defined here, in the file the shim shares, and re-exported as
/// `flakeproof::fake::AfterLast`: the library writes it into specs and the
/// shim acts on it, one enum for both.
///
/// ```
/// use flakeproof::fake::{AfterLast, ArgMatch, FakeDir, Reply};
/// let fakes = FakeDir::new()?;
/// let cc = fakes.fake("cc").install()?;
/// // Fails twice, then succeeds from then on.
/// cc.when(ArgMatch::any()).replies([Reply::exit(1), Reply::exit(1), Reply::success()], AfterLast::RepeatLast)?;
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AfterLast {
    /// Keep giving the last reply.
    RepeatLast,
    /// Start again from the first.
    Cycle,
    /// Leave the call to the next rule that matches (or the fake's
    /// unexpected-call reply): "this rule, N times".
    FallThrough,
    /// Answer as an unexpected call: failed, and listed by `verify()`.
    Fail,
}

/// A rule: calls whose arguments match get the next step of `steps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub matcher: Match,
    pub steps: Vec<Reply>,
    pub after_last: AfterLast,
}

impl Rule {
    /// Whether each call must claim a step number: only a rule with one
    /// step that it repeats forever can do without (and save the syscalls).
    pub fn claims_steps(&self) -> bool {
        !(self.steps.len() == 1 && self.after_last == AfterLast::RepeatLast)
    }

    /// The reply for step `k` (1-based), or `None` when the sequence is
    /// used up and the rule lets go of the call.
    pub fn step(&self, k: u64) -> Option<&Reply> {
        let n = self.steps.len() as u64;
        if n == 0 {
            return None;
        }
        if k <= n {
            return self.steps.get((k - 1) as usize);
        }
        match self.after_last {
            AfterLast::RepeatLast => self.steps.last(),
            AfterLast::Cycle => self.steps.get(((k - 1) % n) as usize),
            AfterLast::FallThrough | AfterLast::Fail => None,
        }
    }
}

/// Everything the shim needs to know about one fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The fake's number in its directory (names its step and release files).
    pub fake: u32,
    pub name: String,
    pub rules: Vec<Rule>,
    /// The reply to a call no rule takes.
    pub otherwise: Reply,
    /// Environment variables to record (value, or absent).
    pub env_keys: Vec<OsBytes>,
    /// Capture up to this many bytes of stdin.
    pub stdin_cap: Option<u64>,
}

/// Which rule and step a call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub rule: u32,
    /// The step number claimed (1-based); 0 for a rule that claims none.
    pub step: u64,
}

/// The start record, written before the fake does anything else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Start {
    pub name: String,
    pub argv0: OsBytes,
    pub args: Vec<OsBytes>,
    pub cwd: Option<OsBytes>,
    pub env: Vec<(OsBytes, Option<OsBytes>)>,
    pub pid: u32,
    /// `None`: no rule took the call.
    pub taken: Option<Taken>,
    /// The file in `calls/` the shim holds locked while it runs; empty when
    /// it is the record itself (Unix: flock does not stop readers; a
    /// Windows lock does, so there it is a file of its own, removed at the
    /// end). The kernel drops the lock when the process dies, so "no end
    /// record, lock free" means killed.
    pub live: String,
}

/// How a call ended, as the shim ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this code (as the caller sees it: the low 8 bits on Unix).
    Exited(u32),
    /// Killed by this signal.
    Signaled(i32),
}

/// The end record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct End {
    pub ending: Ending,
    /// Bytes of stdin read, when captured (more than the file holds if the
    /// cap was hit).
    pub stdin_len: Option<u64>,
}

/// Names of the files, so both sides spell them alike.
pub fn call_file(n: u64) -> String {
    format!("{n}")
}
/// See [`call_file`].
pub fn stdin_file(n: u64) -> String {
    format!("{n}.stdin")
}
/// See [`call_file`].
pub fn step_file(fake: u32, rule: u32, k: u64) -> String {
    format!("{fake}-{rule}-{k}")
}
/// See [`call_file`].
pub fn release_file(fake: u32, rule: u32) -> String {
    format!("{fake}-{rule}")
}
/// Releases every hang in the directory (and makes new ones not wait).
pub const RELEASE_ALL: &str = "all";

/// The call number a file name in `calls/` claims, if it is a start record.
pub fn call_number(file_name: &str) -> Option<u64> {
    if file_name.is_empty() || !file_name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    file_name.parse().ok().filter(|&n| n > 0)
}

// ---- encoding: tagless, fields in order, lengths as u64 LE ----

/// Appends fields to a buffer.
#[derive(Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }
    pub fn list(&mut self, items: &[OsBytes]) -> &mut Self {
        self.u64(items.len() as u64);
        for i in items {
            self.bytes(i);
        }
        self
    }
    pub fn opt(&mut self, b: Option<&[u8]>) -> &mut Self {
        match b {
            None => self.u64(0),
            Some(b) => self.u64(1).bytes(b),
        }
    }
}

/// Reads fields back; any mismatch is `InvalidData`.
pub struct Dec<'a>(pub &'a [u8]);

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("fake record: {what}"))
}

impl Dec<'_> {
    pub fn magic(&mut self, m: &[u8; 8]) -> io::Result<()> {
        if self.0.len() < 8 || &self.0[..8] != m {
            return Err(bad("wrong magic (written by another flakeproof version?)"));
        }
        self.0 = &self.0[8..];
        Ok(())
    }
    pub fn u64(&mut self) -> io::Result<u64> {
        if self.0.len() < 8 {
            return Err(bad("truncated"));
        }
        let (head, rest) = self.0.split_at(8);
        self.0 = rest;
        Ok(u64::from_le_bytes(head.try_into().expect("8 bytes")))
    }
    pub fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.u64()?;
        if (self.0.len() as u64) < n {
            return Err(bad("truncated"));
        }
        let (head, rest) = self.0.split_at(n as usize);
        self.0 = rest;
        Ok(head.to_vec())
    }
    pub fn list(&mut self) -> io::Result<Vec<OsBytes>> {
        let n = self.u64()?;
        // Each item takes at least 8 bytes: a count larger than that is a
        // corrupt file, not a reason to allocate.
        if n > self.0.len() as u64 / 8 {
            return Err(bad("truncated"));
        }
        (0..n).map(|_| self.bytes()).collect()
    }
    pub fn opt(&mut self) -> io::Result<Option<Vec<u8>>> {
        match self.u64()? {
            0 => Ok(None),
            1 => self.bytes().map(Some),
            _ => Err(bad("bad option tag")),
        }
    }
    pub fn string(&mut self) -> io::Result<String> {
        String::from_utf8(self.bytes()?).map_err(|_| bad("name not UTF-8"))
    }
    pub fn done(&self) -> io::Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad("trailing bytes"))
        }
    }
}

fn enc_reply(e: &mut Enc, r: &Reply) {
    e.u64(r.delay_us).bytes(&r.stdout).bytes(&r.stderr);
    e.u64(r.echo_stdin as u64).u64(r.hang as u64);
    match &r.finish {
        Finish::Exit(c) => e.u64(0).u64(*c as u64),
        Finish::Signal(s) => e.u64(1).u64(*s as u32 as u64),
        Finish::Passthrough(p) => e.u64(2).bytes(p),
    };
}

fn dec_reply(d: &mut Dec<'_>) -> io::Result<Reply> {
    let delay_us = d.u64()?;
    let stdout = d.bytes()?;
    let stderr = d.bytes()?;
    let echo_stdin = d.u64()? != 0;
    let hang = d.u64()? != 0;
    let finish = match d.u64()? {
        0 => Finish::Exit(d.u64()? as u32),
        1 => Finish::Signal(d.u64()? as u32 as i32),
        2 => Finish::Passthrough(d.bytes()?),
        _ => return Err(bad("bad finish tag")),
    };
    Ok(Reply {
        delay_us,
        stdout,
        stderr,
        echo_stdin,
        hang,
        finish,
    })
}

impl Spec {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.0.extend_from_slice(SPEC_MAGIC);
        e.u64(self.fake as u64).bytes(self.name.as_bytes());
        e.u64(self.rules.len() as u64);
        for r in &self.rules {
            match &r.matcher {
                Match::Any => e.u64(0),
                Match::Exact(a) => e.u64(1).list(a),
                Match::Prefix(a) => e.u64(2).list(a),
                Match::Contains(a) => e.u64(3).list(a),
            };
            e.u64(r.steps.len() as u64);
            for s in &r.steps {
                enc_reply(&mut e, s);
            }
            e.u64(match r.after_last {
                AfterLast::RepeatLast => 0,
                AfterLast::Cycle => 1,
                AfterLast::FallThrough => 2,
                AfterLast::Fail => 3,
            });
        }
        enc_reply(&mut e, &self.otherwise);
        e.list(&self.env_keys);
        match self.stdin_cap {
            None => e.u64(0),
            Some(c) => e.u64(1).u64(c),
        };
        e.0
    }

    pub fn decode(buf: &[u8]) -> io::Result<Spec> {
        let mut d = Dec(buf);
        d.magic(SPEC_MAGIC)?;
        let fake = d.u64()? as u32;
        let name = d.string()?;
        let n = d.u64()?;
        let mut rules = Vec::new();
        for _ in 0..n {
            let matcher = match d.u64()? {
                0 => Match::Any,
                1 => Match::Exact(d.list()?),
                2 => Match::Prefix(d.list()?),
                3 => Match::Contains(d.list()?),
                _ => return Err(bad("bad match tag")),
            };
            let k = d.u64()?;
            let mut steps = Vec::new();
            for _ in 0..k {
                steps.push(dec_reply(&mut d)?);
            }
            let after_last = match d.u64()? {
                0 => AfterLast::RepeatLast,
                1 => AfterLast::Cycle,
                2 => AfterLast::FallThrough,
                3 => AfterLast::Fail,
                _ => return Err(bad("bad after-last tag")),
            };
            rules.push(Rule {
                matcher,
                steps,
                after_last,
            });
        }
        let otherwise = dec_reply(&mut d)?;
        let env_keys = d.list()?;
        let stdin_cap = match d.u64()? {
            0 => None,
            _ => Some(d.u64()?),
        };
        d.done()?;
        Ok(Spec {
            fake,
            name,
            rules,
            otherwise,
            env_keys,
            stdin_cap,
        })
    }
}

impl Start {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.0.extend_from_slice(START_MAGIC);
        e.bytes(self.name.as_bytes())
            .bytes(&self.argv0)
            .list(&self.args);
        e.opt(self.cwd.as_deref());
        e.u64(self.env.len() as u64);
        for (k, v) in &self.env {
            e.bytes(k).opt(v.as_deref());
        }
        e.u64(self.pid as u64);
        match self.taken {
            None => e.u64(0),
            Some(t) => e.u64(1).u64(t.rule as u64).u64(t.step),
        };
        e.bytes(self.live.as_bytes());
        e.0
    }

    /// A start record alone.
    pub fn decode(buf: &[u8]) -> io::Result<Start> {
        let (start, rest) = Start::decode_prefix(buf)?;
        Dec(rest).done()?;
        Ok(start)
    }

    /// A start record, and what follows it in the file (the end record,
    /// once written).
    pub fn decode_prefix(buf: &[u8]) -> io::Result<(Start, &[u8])> {
        let mut d = Dec(buf);
        d.magic(START_MAGIC)?;
        let name = d.string()?;
        let argv0 = d.bytes()?;
        let args = d.list()?;
        let cwd = d.opt()?;
        let n = d.u64()?;
        let mut env = Vec::new();
        for _ in 0..n.min(buf.len() as u64) {
            env.push((d.bytes()?, d.opt()?));
        }
        let pid = d.u64()? as u32;
        let taken = match d.u64()? {
            0 => None,
            _ => Some(Taken {
                rule: d.u64()? as u32,
                step: d.u64()?,
            }),
        };
        let live = d.string()?;
        let start = Start {
            name,
            argv0,
            args,
            cwd,
            env,
            pid,
            taken,
            live,
        };
        Ok((start, d.0))
    }
}

impl End {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::default();
        e.0.extend_from_slice(END_MAGIC);
        match self.ending {
            Ending::Exited(c) => e.u64(0).u64(c as u64),
            Ending::Signaled(s) => e.u64(1).u64(s as u32 as u64),
        };
        match self.stdin_len {
            None => e.u64(0),
            Some(n) => e.u64(1).u64(n),
        };
        e.0
    }

    pub fn decode(buf: &[u8]) -> io::Result<End> {
        let mut d = Dec(buf);
        d.magic(END_MAGIC)?;
        let ending = match d.u64()? {
            0 => Ending::Exited(d.u64()? as u32),
            1 => Ending::Signaled(d.u64()? as u32 as i32),
            _ => return Err(bad("bad ending tag")),
        };
        let stdin_len = match d.u64()? {
            0 => None,
            _ => Some(d.u64()?),
        };
        d.done()?;
        Ok(End { ending, stdin_len })
    }
}

/// [`OsBytes`] of an OS string, and back: the one platform difference in
/// this file.
#[cfg(unix)]
pub mod os {
    use std::ffi::{OsStr, OsString};
    use std::os::unix::ffi::{OsStrExt, OsStringExt};

    pub fn to_bytes(s: &OsStr) -> Vec<u8> {
        s.as_bytes().to_vec()
    }
    pub fn from_bytes(b: Vec<u8>) -> OsString {
        OsString::from_vec(b)
    }
}

/// See the Unix twin.
#[cfg(windows)]
pub mod os {
    use std::ffi::{OsStr, OsString};
    use std::os::windows::ffi::{OsStrExt, OsStringExt};

    pub fn to_bytes(s: &OsStr) -> Vec<u8> {
        s.encode_wide().flat_map(u16::to_le_bytes).collect()
    }
    pub fn from_bytes(b: Vec<u8>) -> OsString {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        OsString::from_wide(&units)
    }
}
