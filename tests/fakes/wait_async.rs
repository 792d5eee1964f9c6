//! `FakeDir::wait_for_calls_async` (feature `tokio`) leaves the worker to
//! other tasks: on a runtime with one worker, the call it waits for is made
//! by another task on that worker, which could never run if the wait
//! blocked it (the wait would time out instead).
#![cfg(all(unix, feature = "tokio"))]

use std::time::Duration;

use flakeproof::fake::{ArgMatch, FakeDir, Reply, RunState};

#[tokio::test(flavor = "current_thread")]
async fn waiting_for_a_fakes_call_blocks_no_worker() {
    let fakes = FakeDir::new().unwrap();
    let tool = fakes.fake("tool").install().unwrap();
    tool.when(ArgMatch::any()).reply(Reply::exit(7)).unwrap();
    let path = tool.path().to_owned();
    let caller = tokio::spawn(async move {
        // Runs only once the test's own task yields the worker.
        tokio::process::Command::new(path).status().await.unwrap()
    });
    let started = fakes
        .wait_for_calls_async(1, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(started.len(), 1);
    let finished = fakes
        .wait_for_finished_async(1, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(finished[0].state, RunState::Exited(7));
    assert_eq!(caller.await.unwrap().code(), Some(7));
}
