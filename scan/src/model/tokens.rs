//! The words that mark an ETXTBSY check: the error's text and the
//! constant's names. Pure: read by the walk and by its checks.

/// An error's text that only ETXTBSY gives: its message, or std's
/// `(os error 26)` suffix (a runner that reports errors as strings).
pub(super) fn busy_text(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.contains("text file busy") || s.contains("os error 26")
}

/// A constant's name that stands for ETXTBSY (ends so: `ETXTBSY`,
/// `libc::ETXTBSY`, `TEXT_FILE_BUSY`; not `ETXTBSY_MAX_ATTEMPTS`).
pub(super) const ETX_NAMES: [&str; 4] = ["TXTBSY", "TEXT_FILE_BUSY", "TEXTFILE_BUSY", "FILE_BUSY"];
