//! Milliseconds on a monotonic clock, replaceable in tests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Where the samplers read the time.
#[derive(Clone, Debug, Default)]
pub(crate) enum Clock {
    /// Milliseconds since the first reading in this process.
    #[default]
    Monotonic,
    /// A clock tests move by hand.
    #[allow(dead_code)]
    Manual(Arc<AtomicU64>),
}

impl Clock {
    pub(crate) fn now_ms(&self) -> u64 {
        match self {
            Clock::Monotonic => {
                static START: OnceLock<Instant> = OnceLock::new();
                START.get_or_init(Instant::now).elapsed().as_millis() as u64
            }
            Clock::Manual(ms) => ms.load(Ordering::Relaxed),
        }
    }
}
