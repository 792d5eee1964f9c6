//! Blocking work handed out by async code (feature `tokio`): run on tokio's
//! blocking pool, with the plan in force on the polling thread entered
//! there too, so that `robust`'s and `replace`'s async forms meet the same
//! plan their blocking forms would.

use crate::fault::FaultScope;

/// Run `f` on tokio's blocking pool inside the plan this thread is in (if
/// any), and give back its result; a panic in `f` resumes here.
pub(crate) async fn on_blocking_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let scope = FaultScope::current();
    let joined = ::tokio::task::spawn_blocking(move || {
        let _in = scope.as_ref().map(FaultScope::enter);
        f()
    })
    .await;
    match joined {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // Only a runtime shutting down cancels a blocking task.
            Err(e) => panic!("the blocking pool dropped the work: {e}"),
        },
    }
}
