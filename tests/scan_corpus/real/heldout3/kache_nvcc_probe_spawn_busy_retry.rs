// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `kache` 2.0.0
// (https://static.crates.io/crates/kache/kache-2.0.0.crate), file `src/probe/mod.rs`.
// Licence: Apache-2.0 (see ../licences/kache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;

    /// Write an executable shell script. Tests that spawn it retry a
    /// transient ETXTBSY through [`retry_nvcc_probe_spawn`] instead.
    #[cfg(unix)]
    fn write_nvcc_fixture(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        kache_fs::testutil::write_executable(&path, format!("#!/bin/sh\n{body}\n"));
        path
    }

    /// ETXTBSY: a concurrent test's fork can still hold a just-written
    /// script's fd at exec time. Only spawn failures (io::Error in the
    /// chain) retry — a genuine probe refusal fails immediately.
    #[cfg(unix)]
    fn is_nvcc_spawn_busy(err: &anyhow::Error) -> bool {
        err.chain()
            .filter_map(|c| c.downcast_ref::<std::io::Error>())
            .any(|e| e.raw_os_error() == Some(libc::ETXTBSY))
    }

    #[cfg(unix)]
    fn retry_nvcc_probe_spawn(req: &ProbeRequest<'_>) -> Result<ResolvedConfig> {
        let mut result = NvccProber.probe(req);
        for _ in 0..10 {
            match &result {
                Err(error) if is_nvcc_spawn_busy(error) => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    result = NvccProber.probe(req);
                }
                _ => break,
            }
        }
        result
    }
}
