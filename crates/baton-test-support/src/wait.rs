//! Bounded waits for plain `#[test]` functions: poll a probe every 10 ms until it has an
//! answer or the limit has passed. (Async waits on baton's in-memory telemetry are in the
//! test kit, `baton_sdk::testing`.)

use std::time::{Duration, Instant};

/// How long the receivers' own waits (`wait_for_spans`, ...) wait before failing.
pub const WAIT: Duration = Duration::from_secs(10);

/// How often the waits poll.
const POLL: Duration = Duration::from_millis(10);

/// Polls `done` until it holds, for at most `limit`; returns whether it did.
///
/// ```
/// use std::time::Duration;
/// let mut polls = 0;
/// assert!(baton_test_support::wait::until(Duration::from_secs(1), || {
///     polls += 1;
///     polls == 3
/// }));
/// assert!(!baton_test_support::wait::until(Duration::ZERO, || false));
/// ```
pub fn until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// Polls `probe` until it returns `Some`, and returns its value; panics naming `what`
/// after `limit`.
///
/// ```
/// use std::time::Duration;
/// let mut polls = 0;
/// let n = baton_test_support::wait::wait_for("three polls", Duration::from_secs(1), || {
///     polls += 1;
///     (polls == 3).then_some(polls)
/// });
/// assert_eq!(n, 3);
/// ```
#[track_caller]
pub fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let mut found = None;
    until(limit, || {
        found = probe();
        found.is_some()
    });
    match found {
        Some(value) => value,
        _ => panic!("timed out after {limit:?} waiting for {what}"),
    }
}
