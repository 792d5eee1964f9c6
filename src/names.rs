//! Which strings are plain file names, per OS: stub names and lock keys
//! become file names, and a name that passed here must not install (or
//! lock) somewhere else. Pure.

use std::io;
use std::path::Path;

use crate::os::Os;

/// A single, plain file name on `os`, or why not.
pub(crate) fn validate_name(os: Os, name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name == "." || name == ".." {
        return Err("is not a file name");
    }
    if name.contains('\0') {
        return Err("contains a NUL byte");
    }
    if name.contains('/') || (os == Os::Windows && name.contains('\\')) {
        return Err("must be a file name, not a path");
    }
    if os == Os::Windows {
        windows_name(name)?;
    }
    Ok(())
}

/// What Win32 refuses or silently changes in a file name: a name that
/// passed would install somewhere else, or fail half-way.
fn windows_name(name: &str) -> Result<(), &'static str> {
    if name.contains(['<', '>', ':', '"', '|', '?', '*']) {
        return Err("contains a character Windows forbids in file names (<>:\"|?*)");
    }
    if name.chars().any(|c| c.is_ascii_control()) {
        return Err("contains a control character");
    }
    if name.ends_with(['.', ' ']) {
        return Err("ends with a dot or a space, which Windows strips");
    }
    // CON, NUL, COM1 ... name a device whatever the extension: `NUL.txt`
    // opens the null device.
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    let device = matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || (upper.len() == 4
        && (upper.starts_with("COM") || upper.starts_with("LPT"))
        && upper.as_bytes()[3].is_ascii_digit()
        && upper.as_bytes()[3] != b'0');
    if device {
        return Err("is a reserved device name on Windows");
    }
    Ok(())
}

/// The directory of `path` (`.` for a bare name) and its file name, which
/// must be UTF-8 (temp and aside names are built from it); InvalidInput
/// otherwise (`/`, `..`, a name that is not UTF-8).
pub(crate) fn split_file_path(path: &Path) -> io::Result<(&Path, &str)> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} has no file name (or one that is not UTF-8)",
                path.display()
            ),
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Ok((dir, name))
}

/// The two kinds of hidden sibling a replacement makes beside `name`: the new
/// file being written, and (on Windows) the old one moved aside because it
/// was running. Both are `.<name>.<16 hex>.flakeproof-<kind>`: hidden on
/// Unix, recognisable if a crash leaves one, never guessable (the 64 bits
/// are random), and short enough whatever the name (cut to 64 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leftover {
    /// `.flakeproof-tmp`: a file being written; it becomes `name` by rename.
    Temp,
    /// `.flakeproof-old`: the previous `name`, moved aside while it ran.
    Aside,
}

impl Leftover {
    fn suffix(self) -> &'static str {
        match self {
            Leftover::Temp => ".flakeproof-tmp",
            Leftover::Aside => ".flakeproof-old",
        }
    }

    /// The sibling name for `name` with these random bits.
    pub(crate) fn name(self, name: &str, random: u64) -> String {
        let mut cut = name.len().min(64);
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        format!(".{}.{random:016x}{}", &name[..cut], self.suffix())
    }

    /// Is `file` a sibling of this kind that [`Leftover::name`] makes for `name`?
    pub(crate) fn is_of(self, file: &str, name: &str) -> bool {
        let probe = self.name(name, 0);
        let prefix = &probe[..probe.len() - 16 - self.suffix().len()];
        file.len() == probe.len()
            && file.starts_with(prefix)
            && file.ends_with(self.suffix())
            && file[prefix.len()..prefix.len() + 16]
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_single_file_names_are_refused() {
        for bad in ["", ".", "..", "a/b", "/abs", "x\0y"] {
            assert!(validate_name(Os::Linux, bad).is_err(), "{bad:?}");
            assert!(validate_name(Os::Windows, bad).is_err(), "{bad:?}");
        }
        for win_only in [
            "a\\b",
            "c:x",
            "NUL",
            "nul.txt",
            "Con",
            "COM1",
            "lpt9.log",
            "AUX.tar.gz",
            "a<b",
            "a>b",
            "a\"b",
            "a|b",
            "a?b",
            "a*b",
            "ctl\u{1}",
            "tab\t",
            "trail.",
            "trail ",
            "NUL .txt",
        ] {
            assert!(validate_name(Os::Linux, win_only).is_ok(), "{win_only:?}");
            assert!(
                validate_name(Os::Windows, win_only).is_err(),
                "{win_only:?}"
            );
        }
        for win_ok in [
            "COM0",
            "COM10",
            "console",
            "nullable.exe",
            "tool.cmd",
            "a.b.c",
            "LPT",
        ] {
            assert!(validate_name(Os::Windows, win_ok).is_ok(), "{win_ok:?}");
        }
        for ok in ["git", ".hidden", "...", "x.exe", "ünï"] {
            assert!(validate_name(Os::Linux, ok).is_ok(), "{ok:?}");
        }
    }
    #[test]
    fn leftover_names_are_recognised_for_their_name_and_kind_only() {
        let t = Leftover::Temp.name("app", 0xdead_beef);
        assert!(Leftover::Temp.is_of(&t, "app"));
        assert!(!Leftover::Aside.is_of(&t, "app"));
        assert!(!Leftover::Temp.is_of(&t, "ap"));
        assert!(!Leftover::Temp.is_of(&Leftover::Temp.name("app2", 1), "app"));
        assert!(!Leftover::Temp.is_of(".app.zzzzzzzzzzzzzzzz.flakeproof-tmp", "app"));
        assert!(!Leftover::Temp.is_of("app", "app"));
        let a = Leftover::Aside.name("app.exe", 7);
        assert_eq!(a, ".app.exe.0000000000000007.flakeproof-old");
        assert!(Leftover::Aside.is_of(&a, "app.exe"));
        assert!(!Leftover::Temp.is_of(&a, "app.exe"));
    }

    #[test]
    fn leftover_names_are_hidden_bounded_and_keep_utf8() {
        assert_eq!(
            Leftover::Temp.name("git", 0xab),
            ".git.00000000000000ab.flakeproof-tmp"
        );
        let long = "é".repeat(100); // 200 bytes
        let t = Leftover::Temp.name(&long, 1);
        assert!(t.len() <= 1 + 64 + 1 + 16 + 16, "{}", t.len());
        assert!(t.starts_with(".é"));
    }
}
