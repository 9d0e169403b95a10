//! Driving an exporter's future to completion on the export thread.
//!
//! Network exporters are wrapped so their I/O runs on baton's export runtime; what the
//! batch thread awaits is only their completion, so a thread park/unpark waker is all the
//! executor it needs.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on this thread, parking between wake-ups, until it is ready.
#[cfg(test)]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    match block_on_until(future, None) {
        Some(output) => output,
        None => unreachable!("no deadline to miss"),
    }
}

/// [`block_on`], giving up at `deadline` (if any): `None` then, and the future is dropped,
/// which cancels what it was doing.
pub(crate) fn block_on_until<F: Future>(future: F, deadline: Option<Instant>) -> Option<F::Output> {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        // A spurious unpark only costs one more poll.
        match deadline {
            None => std::thread::park(),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                std::thread::park_timeout(left);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn waits_for_a_future_woken_from_another_thread() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            let _ = tx.send(7);
        });
        assert_eq!(block_on(rx), Ok(7));
        assert_eq!(block_on(async { 1 + 1 }), 2);
        let start = Instant::now();
        let never = std::future::pending::<()>();
        let limit = start + Duration::from_millis(50);
        assert_eq!(block_on_until(never, Some(limit)), None);
        assert!(start.elapsed() >= Duration::from_millis(50));
    }
}
