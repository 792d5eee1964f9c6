// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `agent-doc-orchestration` 0.34.65
// (https://static.crates.io/crates/agent-doc-orchestration/agent-doc-orchestration-0.34.65.crate), file `src/agent/codex.rs`.
// Licence: MIT (see ../licences/agent-doc-orchestration-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
fn is_text_file_busy(err: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::ETXTBSY)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

fn spawn_agent_command(cmd: &mut Command) -> std::io::Result<std::process::Child> {
    const TEXT_FILE_BUSY_RETRIES: usize = 3;

    for attempt in 0..=TEXT_FILE_BUSY_RETRIES {
        match cmd.spawn() {
            Ok(child) => return Ok(child),
            Err(err) if is_text_file_busy(&err) && attempt < TEXT_FILE_BUSY_RETRIES => {
                std::thread::sleep(Duration::from_millis(25 * (attempt as u64 + 1)));
            }
            Err(err) => return Err(err),
        }
    }

    unreachable!("spawn loop returns on success or final error")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn text_file_busy_detection_matches_unix_os_error() {
        #[cfg(unix)]
        assert!(is_text_file_busy(&std::io::Error::from_raw_os_error(
            libc::ETXTBSY
        )));
        assert!(!is_text_file_busy(&std::io::Error::from(
            std::io::ErrorKind::NotFound
        )));
    }
}
