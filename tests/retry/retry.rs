//! retry_etxtbsy's contract, through the public function and real sleeps.

use std::cell::Cell;
use std::io;

use flakeproof::retry_etxtbsy;

fn busy() -> io::Error {
    io::Error::from_raw_os_error(flakeproof::errno::linux::ETXTBSY)
}

#[test]
fn first_call_success_calls_once() {
    let calls = Cell::new(0);
    let v = retry_etxtbsy(5, || {
        calls.set(calls.get() + 1);
        Ok("done")
    });
    assert_eq!(v.unwrap(), "done");
    assert_eq!(calls.get(), 1);
}

#[cfg(unix)]
#[test]
fn busy_twice_then_ok_takes_three_calls() {
    let calls = Cell::new(0);
    let v = retry_etxtbsy(5, || {
        calls.set(calls.get() + 1);
        if calls.get() <= 2 {
            Err(busy())
        } else {
            Ok(calls.get())
        }
    });
    assert_eq!(v.unwrap(), 3);
}

#[test]
fn other_errors_pass_through_untouched_after_one_call() {
    for raw in [1, 2, 13, 16, 11] {
        let calls = Cell::new(0);
        let e = retry_etxtbsy(5, || {
            calls.set(calls.get() + 1);
            Err::<(), _>(io::Error::from_raw_os_error(raw))
        })
        .unwrap_err();
        assert_eq!(calls.get(), 1, "raw {raw}");
        assert_eq!(e.raw_os_error(), Some(raw));
        assert_eq!(e.kind(), io::Error::from_raw_os_error(raw).kind());
    }
    // A custom error keeps its message and kind.
    let e = retry_etxtbsy(5, || Err::<(), _>(io::Error::other("boom"))).unwrap_err();
    assert_eq!(e.to_string(), "boom");
}

#[cfg(unix)]
#[test]
fn gives_up_after_attempts_with_the_last_etxtbsy() {
    let calls = Cell::new(0);
    let e = retry_etxtbsy(4, || {
        calls.set(calls.get() + 1);
        Err::<(), _>(busy())
    })
    .unwrap_err();
    assert_eq!(calls.get(), 4);
    assert_eq!(e.raw_os_error(), Some(26));
    assert_eq!(e.kind(), io::ErrorKind::ExecutableFileBusy);
}

#[test]
fn zero_attempts_calls_once() {
    let calls = Cell::new(0);
    let _ = retry_etxtbsy(0, || {
        calls.set(calls.get() + 1);
        Err::<(), _>(busy())
    });
    assert_eq!(calls.get(), 1);
}
