//! Bounded waits that poll: blocking, for plain `#[test]` functions, and async, for tests
//! on any executor. The async waits need no runtime of their own (no Tokio timer): a
//! helper thread wakes the waiting task every few milliseconds until the wait ends.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// How often the waits poll.
const POLL: Duration = Duration::from_millis(5);

/// Waits (at most `timeout`, without blocking the thread) until `probe` returns `Some`, and
/// returns its value; panics naming `what` if it never does.
///
/// It polls `probe` every few milliseconds. It works on any executor: it needs no timer
/// from the runtime, so a Tokio runtime without `enable_time`, or any other executor,
/// drives it.
///
/// ```
/// use baton_sdk::testing::eventually;
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let done = Arc::new(AtomicBool::new(false));
/// let setter = Arc::clone(&done);
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(20));
///     setter.store(true, Ordering::SeqCst);
/// });
/// // No timer enabled: the wait does not need one.
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let answer = runtime.block_on(eventually("the flag", Duration::from_secs(5), || {
///     done.load(Ordering::SeqCst).then_some(42)
/// }));
/// assert_eq!(answer, 42);
/// ```
pub async fn eventually<T>(what: &str, timeout: Duration, probe: impl FnMut() -> Option<T>) -> T {
    match poll_until(timeout, probe).await {
        Some(value) => value,
        None => panic!("timed out after {timeout:?} waiting for {what}"),
    }
}

/// Polls `probe` (without blocking the thread) until it returns `Some`, for at most
/// `timeout`; `None` when it never did.
pub(super) async fn poll_until<T>(
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Option<T> {
    if let Some(value) = probe() {
        return Some(value);
    }
    let deadline = Instant::now() + timeout;
    let ticker = Ticker::start();
    poll_fn(|cx| {
        if let Some(value) = probe() {
            return Poll::Ready(Some(value));
        }
        if Instant::now() >= deadline {
            return Poll::Ready(None);
        }
        ticker.wake_later(cx.waker());
        Poll::Pending
    })
    .await
}

/// Polls `probe`, sleeping the thread in between, until it returns `Some`, for at most
/// `timeout`; `None` when it never did.
pub(super) fn block_until<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}

/// A thread that wakes the latest waker it was given every [`POLL`], until dropped.
struct Ticker {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    waker: Mutex<Option<Waker>>,
    stopped: AtomicBool,
}

impl Ticker {
    fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let ticks = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("baton-testing-wait".into())
            .spawn(move || {
                while !ticks.stopped.load(Ordering::Acquire) {
                    std::thread::sleep(POLL);
                    let waker = ticks
                        .waker
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take();
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                }
            })
            .expect("spawn the wait's ticker thread");
        Ticker { shared }
    }

    /// Wakes `waker` at the next tick.
    fn wake_later(&self, waker: &Waker) {
        *self
            .shared
            .waker
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(waker.clone());
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Release);
    }
}
