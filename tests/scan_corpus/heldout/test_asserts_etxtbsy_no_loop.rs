// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    #[test]
    fn exec_of_open_file_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prog");
        let mut f = std::fs::OpenOptions::new().write(true).create(true).mode(0o755).open(&path).unwrap();
        f.write_all(include_bytes!("/bin/true")).unwrap();
        let err = std::process::Command::new(&path).status().unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ETXTBSY));
        drop(f);
    }
}
