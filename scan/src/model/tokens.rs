//! The words that mark an ETXTBSY check: the error's text and the
//! constant's names. Pure: read by the walk and by its checks.

/// An error's text that only ETXTBSY gives: its message, or std's
/// `(os error 26)` suffix (a runner that reports errors as strings).
pub(super) fn busy_text(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    s.contains("text file busy") || s.contains("os error 26")
}

/// A constant's name that stands for ETXTBSY (ends so: `ETXTBSY`,
/// `libc::ETXTBSY`, `Errno::TXTBSY`, `TEXT_FILE_BUSY`, or with a suffix
/// saying it is the number: `ETXTBSY_ERRNO`; not `ETXTBSY_MAX_ATTEMPTS`).
pub(super) fn etx_name(upper: &str) -> bool {
    const NAMES: [&str; 4] = ["TXTBSY", "TEXT_FILE_BUSY", "TEXTFILE_BUSY", "FILE_BUSY"];
    let stem = ["_ERRNO", "_CODE", "_ERR"]
        .iter()
        .find_map(|s| upper.strip_suffix(s))
        .unwrap_or(upper);
    NAMES.iter().any(|n| stem.ends_with(n))
}
