//! How long the installer's default retries ride out a destination that
//! another handle holds without FILE_SHARE_DELETE (an antivirus scanner, an
//! indexer, a lingering database handle): a thread holds it for H ms, then
//! lets go, while an install renames over it. Windows only (CI runs it under
//! Wine). A measurement: it prints what happened and judges nothing.
//!
//!     cargo run --example windows_hold

#[cfg(windows)]
fn main() {
    use std::os::windows::fs::OpenOptionsExt;
    use std::time::{Duration, Instant};

    use flakeproof::StubInstaller;

    const FILE_SHARE_READ: u32 = 1;
    const FILE_SHARE_WRITE: u32 = 2;

    println!("default retries: 10 attempts, sleeping 1, 2, 4 ... 100 ms: 327 ms in all\n");
    println!("| held for | install | retries | took |");
    println!("|---:|---|---:|---:|");
    for held_ms in [50u64, 200, 1000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let dest = flakeproof::install_executable_stub(dir.path(), "tool.cmd", "@echo old\r\n")
            .expect("first install");
        let holder = std::fs::OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
            .open(&dest)
            .expect("hold the destination");
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(held_ms));
            drop(holder);
        });
        let t0 = Instant::now();
        let result =
            StubInstaller::new().install_with_report(dir.path(), "tool.cmd", "@echo new\r\n");
        let took = t0.elapsed();
        let (outcome, retries) = match &result {
            Ok(r) => ("succeeded".to_string(), r.retries.to_string()),
            Err(e) => (format!("failed: {e}"), "–".into()),
        };
        println!(
            "| {held_ms} ms | {outcome} | {retries} | {} ms |",
            took.as_millis()
        );
        release.join().expect("release thread");
    }
}

#[cfg(not(windows))]
fn main() {
    eprintln!("windows_hold: measures Windows sharing rules; run it on Windows (or under Wine)");
}
