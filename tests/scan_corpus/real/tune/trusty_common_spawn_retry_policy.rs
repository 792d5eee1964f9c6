// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trusty-common` 0.67.4
// (https://static.crates.io/crates/trusty-common/trusty-common-0.67.4.crate), file `src/spawn_retry.rs`.
// Licence: MIT (see ../licences/trusty-common-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use std::io;
use std::time::Duration;

/// How many times a retried operation is attempted before the error is returned.
pub const ETXTBSY_MAX_ATTEMPTS: u32 = 3;

/// Base back-off between attempts, in milliseconds; doubles each retry.
pub const ETXTBSY_BACKOFF_MS: u64 = 5;

/// What the policy decided after one attempt: hand the result back, or wait
/// `Duration` and try again.
enum Step<T> {
    Done(io::Result<T>),
    Backoff(Duration),
}

/// The whole retry policy: what is retryable, how long to wait, and when to
/// give up. Both drivers call this, so neither owns a decision of its own.
///
/// Why: keeping the classification in one function is what makes the sync and
/// async drivers provably identical — they differ only in how they sleep.
/// What: retries only `ErrorKind::ExecutableFileBusy`, and only while another
/// attempt remains within [`ETXTBSY_MAX_ATTEMPTS`]; the back-off is
/// `ETXTBSY_BACKOFF_MS << attempt`. Every other outcome — success, or any
/// other error — is returned unchanged and immediately. On the final attempt
/// an `ETXTBSY` is `Done`, so a permanently busy target fails with the real
/// error and without a pointless trailing sleep.
/// Test: `gives_up_after_max_attempts`, `does_not_retry_other_errors`.
fn step<T>(result: io::Result<T>, attempt: u32) -> Step<T> {
    match result {
        Err(e)
            if e.kind() == io::ErrorKind::ExecutableFileBusy
                && attempt + 1 < ETXTBSY_MAX_ATTEMPTS =>
        {
            // `attempt` is bounded by ETXTBSY_MAX_ATTEMPTS, so the shift stays
            // far below u64's width; saturate anyway if that bound is raised.
            Step::Backoff(Duration::from_millis(
                ETXTBSY_BACKOFF_MS.saturating_mul(1u64 << attempt),
            ))
        }
        other => Step::Done(other),
    }
}

/// Run `attempt` until it stops failing with `ETXTBSY`, up to
/// [`ETXTBSY_MAX_ATTEMPTS`] times with exponential back-off, blocking the
/// calling thread between attempts.
///
/// Why: the sync callers (`trusty-mpm`'s TCC-disclaiming spawn path) must not
/// be forced onto a tokio runtime just to share the workspace's retry policy.
/// What: drives [`step`], sleeping with `std::thread::sleep`. Generic over the
/// attempt's success type, so it wraps `Command::output`, `Command::status`,
/// or a raw `posix_spawnp` just as well as `Command::spawn`.
///
/// # Why a retry cannot re-run a command that already ran
///
/// A retry fires on exactly one condition: `ErrorKind::ExecutableFileBusy`.
/// Only the exec step of a spawn produces that — `execve` and `posix_spawn`
/// report it before a pid exists. The wait/drain phase of `Command::output`,
/// or of `trusty-mpm`'s `spawn_capture_disclaimed`, fails with `EINTR` or some
/// other errno, never with errno 26, so an attempt that started a child cannot
/// re-enter the loop. That is what makes `retry_on_etxtbsy(|| cmd.output())`
/// safe even though `output()` both spawns and waits.
///
/// The type system does NOT enforce this — a synchronous closure can still
/// block on `waitpid`. The guarantee is the errno classification above, plus
/// the caller keeping `attempt` to a single spawn so no OTHER path can
/// manufacture an `ExecutableFileBusy`.
///
/// Test: `returns_first_success`, `recovers_after_two_busy_attempts`,
/// `gives_up_after_max_attempts`, `does_not_retry_other_errors`,
/// `retries_only_after_an_etxtbsy_outcome` (the driver half; the errno half is
/// an OS property a unit test cannot provoke),
/// `contract_retry_invokes_attempt_at_most_max_attempts_times`.
///
/// # Code Contract
/// Preconditions:
/// - `attempt` performs AT MOST ONE spawn per invocation and is safe to call
///   again after an `ExecutableFileBusy` error. The type system does not
///   enforce this; see the section above for why the errno classification, not
///   the signature, is what makes it hold.
/// - `attempt` must not itself manufacture an `ExecutableFileBusy` from a
///   non-exec failure, or it would drive a retry of work that already ran.
///
/// Postconditions:
/// - Returns the outcome of the LAST invocation of `attempt`, whatever it is.
/// - `attempt` is invoked at least once, and at most
///   [`ETXTBSY_MAX_ATTEMPTS`] times.
/// - A retry happens if and only if the previous outcome was
///   `Err(ErrorKind::ExecutableFileBusy)` AND attempts remain. Every other
///   outcome — success or any other error — is returned immediately, with no
///   further invocation and no trailing sleep.
/// - The final `ExecutableFileBusy` error is returned rather than swallowed, so
///   exhausting the budget is distinguishable from succeeding.
///
/// Invariants:
/// - Back-off doubles from [`ETXTBSY_BACKOFF_MS`] per retry and saturates
///   rather than overflowing if the attempt ceiling is ever raised.
/// - This function blocks the calling thread during back-off. Async callers
///   must use [`retry_on_etxtbsy_async`], which applies an identical policy.
pub fn retry_on_etxtbsy<T>(mut attempt: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut n = 0;
    loop {
        match step(attempt(), n) {
            Step::Done(result) => return result,
            Step::Backoff(delay) => {
                std::thread::sleep(delay);
                n += 1;
            }
        }
    }
}
