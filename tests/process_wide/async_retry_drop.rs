//! Dropping `RetryPolicy::run_async` mid-wait leaves no descriptor behind:
//! counted in `/proc/self/fd`, so it runs alone (`common::process_wide`).
#![cfg(all(target_os = "linux", feature = "tokio"))]

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use flakeproof::retry::Backoff;
use flakeproof::{Classifier, RetryPolicy};

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn dropping_an_async_retry_mid_wait_leaves_no_descriptor() {
    let _alone = crate::common::process_wide();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let before = fds();
        let policy = RetryPolicy::new(Classifier::etxtbsy())
            .attempts(100)
            .backoff(Backoff::constant(Duration::from_secs(60)));
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let waiting = policy.run_async(move || {
            c.fetch_add(1, SeqCst);
            std::future::ready(Err::<(), _>(io::Error::from_raw_os_error(26)))
        });
        // It fails once, then waits a minute; the timeout drops it there.
        let r = tokio::time::timeout(Duration::from_millis(20), waiting).await;
        assert!(r.is_err(), "it should still have been waiting");
        assert_eq!(calls.load(SeqCst), 1);
        assert_eq!(fds(), before, "a descriptor was left behind");
    });
}
