//! What each test file shares: skipping where the kernel can't enforce a
//! plan, and this thread's id.

/// Kernel plans need Linux with seccomp user notification. Where they are
/// missing a test skips, unless the run says the machine has them
/// (`FLAKEPROOF_REQUIRE` naming `seccomp`, as CI sets it): then a skip
/// would hide a failure, so it fails instead.
pub fn skip(why: &str) {
    let required = std::env::var("FLAKEPROOF_REQUIRE").unwrap_or_default();
    if required.contains("seccomp") {
        panic!("kernel plans are required here (FLAKEPROOF_REQUIRE), but: {why}");
    }
    eprintln!("SKIPPED (no kernel plans here): {why}");
}

/// The calling thread's id, as the kernel numbers it (what `Call::tid`
/// holds), from `/proc/thread-self`.
#[allow(dead_code)] // not every test file asks
pub fn gettid() -> u32 {
    let link = std::fs::read_link("/proc/thread-self").unwrap();
    link.file_name().unwrap().to_str().unwrap().parse().unwrap()
}
