//! Which operating system a table, a plan or an errno name is about.

/// An operating-system family, as an argument to the classification tables.
///
/// ```
/// use flakeproof::classify::Os;
/// #[cfg(target_os = "linux")]
/// assert_eq!(Os::CURRENT, Os::Linux);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Os {
    /// Linux and Android.
    Linux,
    /// macOS and the other Apple systems.
    MacOs,
    /// Windows.
    Windows,
    /// Any other Unix (the BSDs, illumos, ...): ETXTBSY is 26 there too.
    OtherUnix,
    /// Anything else: nothing is classified transient.
    Other,
}

impl Os {
    /// The family this crate was compiled for.
    ///
    /// ```
    /// # use flakeproof::classify::Os;
    /// assert_ne!(Os::CURRENT, Os::Other);
    /// ```
    pub const CURRENT: Os = if cfg!(any(target_os = "linux", target_os = "android")) {
        Os::Linux
    } else if cfg!(target_vendor = "apple") {
        Os::MacOs
    } else if cfg!(windows) {
        Os::Windows
    } else if cfg!(unix) {
        Os::OtherUnix
    } else {
        Os::Other
    };

    pub(crate) fn is_unix(self) -> bool {
        matches!(self, Os::Linux | Os::MacOs | Os::OtherUnix)
    }
}
