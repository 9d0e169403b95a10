//! Flushing and shutting down every provider within one deadline, whatever the exporters do.

use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;

use crate::error::ShutdownError;

/// How much of the deadline is kept back from the providers, so that their own timeouts
/// fire (and say what they saw) before the deadline ends the wait: a tenth, at most 100 ms.
fn margin(deadline: Duration) -> Duration {
    (deadline / 10).min(Duration::from_millis(100))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signal {
    Traces,
    Metrics,
    #[cfg(feature = "logs")]
    Logs,
}

/// The providers a guard shuts down.
pub(crate) struct Providers<'a> {
    pub(crate) traces: &'a SdkTracerProvider,
    pub(crate) metrics: &'a SdkMeterProvider,
    #[cfg(feature = "logs")]
    pub(crate) logs: Option<&'a opentelemetry_sdk::logs::SdkLoggerProvider>,
}

/// Shuts the providers down in parallel and returns by `deadline`, even if an exporter
/// hangs: the SDK's own timeouts do not bound every
/// path (processors are shut down one after another, and the meter provider ignores its
/// timeout), so each shutdown runs on its own thread and is abandoned at the deadline.
pub(crate) fn shutdown_within(
    providers: Providers<'_>,
    deadline: Duration,
) -> Result<(), ShutdownError> {
    let start = Instant::now();
    let inner = deadline.saturating_sub(margin(deadline));
    let (tx, rx) = mpsc::channel::<(Signal, OTelSdkResult)>();
    let traces = providers.traces.clone();
    run(tx.clone(), Signal::Traces, move || {
        traces.shutdown_with_timeout(inner)
    });
    let metrics = providers.metrics.clone();
    run(tx.clone(), Signal::Metrics, move || {
        metrics.shutdown_with_timeout(inner)
    });
    #[cfg_attr(not(feature = "logs"), allow(unused_mut))]
    let mut waiting = 2;
    let late = format!(
        "not finished within the shutdown deadline of {deadline:?}; what was not exported is lost"
    );
    #[cfg_attr(not(feature = "logs"), allow(unused_mut))]
    let mut error = ShutdownError {
        traces: Some(late.clone()),
        metrics: Some(late.clone()),
        logs: None,
    };
    #[cfg(feature = "logs")]
    if let Some(logs) = providers.logs {
        let logs = logs.clone();
        run(tx.clone(), Signal::Logs, move || {
            logs.shutdown_with_timeout(inner)
        });
        waiting += 1;
        error.logs = Some(late);
    }
    drop(tx);
    for _ in 0..waiting {
        let left = deadline.saturating_sub(start.elapsed());
        let Ok((signal, result)) = rx.recv_timeout(left) else {
            break;
        };
        let message = describe(result);
        match signal {
            Signal::Traces => error.traces = message,
            Signal::Metrics => error.metrics = message,
            #[cfg(feature = "logs")]
            Signal::Logs => error.logs = message,
        }
    }
    if error.traces.is_none() && error.metrics.is_none() && error.logs.is_none() {
        Ok(())
    } else {
        Err(error)
    }
}

/// What a provider's shutdown result means for the user, or `None` if it went well.
fn describe(result: OTelSdkResult) -> Option<String> {
    let late =
        |after: Duration| format!("not finished after {after:?}; what was not exported is lost");
    match result {
        Ok(()) | Err(OTelSdkError::AlreadyShutdown) => None,
        Err(OTelSdkError::Timeout(after)) => Some(late(after)),
        Err(OTelSdkError::InternalFailure(why)) => Some(why),
    }
}

/// Runs `shutdown` on its own thread, or on this one if no thread can be started.
fn run<F>(tx: mpsc::Sender<(Signal, OTelSdkResult)>, signal: Signal, shutdown: F)
where
    F: FnOnce() -> OTelSdkResult + Send + 'static,
{
    let job = Arc::new(Mutex::new(Some((tx, shutdown))));
    let take = |job: &Mutex<Option<_>>| job.lock().ok().and_then(|mut j| j.take());
    let for_thread = Arc::clone(&job);
    let spawned = std::thread::Builder::new()
        .name("baton-shutdown".into())
        .spawn(move || {
            if let Some((tx, shutdown)) = take(&for_thread) {
                let _ = tx.send((signal, shutdown()));
            }
        });
    if spawned.is_err()
        && let Some((tx, shutdown)) = take(&job)
    {
        let _ = tx.send((signal, shutdown()));
    }
}
