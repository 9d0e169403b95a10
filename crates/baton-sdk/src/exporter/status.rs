//! What the network exporters report back: the SDK's batch processor and periodic reader
//! log export failures and move on (their shutdown says `Ok` even when the final export
//! failed), so baton records each result here for the [`Guard`](crate::Guard) to report,
//! and warns on standard error at the first failure (a refused connection, a TLS handshake
//! that failed, a timeout), once: later ones are only counted, so a collector that is down
//! costs no more than a counter.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};

/// Export outcomes for one signal, shared by its exporters and the guard.
#[derive(Debug)]
pub(crate) struct ExportStatus {
    failed: AtomicUsize,
    last: Mutex<Outcomes>,
    /// Where the first failure is reported.
    warn: fn(&str),
}

impl Default for ExportStatus {
    fn default() -> Self {
        Self::warning_to(|line| eprintln!("baton: warning: {line}"))
    }
}

#[derive(Debug, Default)]
struct Outcomes {
    /// Why the most recent failed export failed.
    why: Option<String>,
    /// Whether the most recent export succeeded.
    recovered: bool,
}

impl ExportStatus {
    /// A status that reports the first failure to `warn`.
    pub(crate) fn warning_to(warn: fn(&str)) -> Self {
        ExportStatus {
            failed: AtomicUsize::new(0),
            last: Mutex::default(),
            warn,
        }
    }

    /// Records the outcome of one export.
    pub(crate) fn record(&self, result: &OTelSdkResult) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(()) => last.recovered = true,
            Err(e) => {
                let why = describe(e);
                if self.failed.fetch_add(1, Ordering::Relaxed) == 0 {
                    (self.warn)(&format!(
                        "an export failed, its data is lost: {why}. Printed once: later \
                         failures are counted, and the guard's shutdown reports them"
                    ));
                }
                *last = Outcomes {
                    why: Some(why),
                    recovered: false,
                };
            }
        }
    }

    /// What was lost to failed exports, if any: why the most recent failure happened, how
    /// many failed since start, and whether exports work again.
    pub(crate) fn last_failure(&self) -> Option<String> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let why = last.why.as_ref()?;
        let failed = self.failed.load(Ordering::Relaxed);
        let s = if failed == 1 { "" } else { "s" };
        Some(if last.recovered {
            format!(
                "{failed} export{s} failed since start, their data is lost (the last failure: \
                 {why}); exports succeeded again afterwards"
            )
        } else {
            format!(
                "the last export failed ({why}); {failed} failed export{s} since start, their data is lost"
            )
        })
    }
}

fn describe(e: &OTelSdkError) -> String {
    match e {
        OTelSdkError::Timeout(after) => format!("no answer within {after:?}"),
        OTelSdkError::InternalFailure(why) => why.clone(),
        OTelSdkError::AlreadyShutdown => "the exporter was already shut down".into(),
    }
}

/// Why the most recent request of a client failed, kept for the exporter's outcome: the
/// OTLP/HTTP exporter turns every failed request into "network error".
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
#[derive(Clone, Debug, Default)]
pub(crate) struct LastError(std::sync::Arc<std::sync::Mutex<Option<String>>>);

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
impl LastError {
    #[cfg(feature = "otlp-http")]
    pub(crate) fn set(&self, why: String) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
    }

    /// The reason kept since the last call, if any.
    pub(crate) fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    #[test]
    fn failures_stay_reported_after_a_recovery_and_only_the_first_is_printed() {
        let status = ExportStatus::warning_to(|line| WARNINGS.lock().unwrap().push(line.into()));
        status.record(&Ok(()));
        assert_eq!(status.last_failure(), None);
        status.record(&Err(OTelSdkError::Timeout(std::time::Duration::from_secs(
            1,
        ))));
        assert_eq!(
            status.last_failure().unwrap(),
            "the last export failed (no answer within 1s); 1 failed export since start, their data is lost"
        );
        status.record(&Err(OTelSdkError::InternalFailure(
            "connection refused".into(),
        )));
        status.record(&Ok(()));
        assert_eq!(
            status.last_failure().unwrap(),
            "2 exports failed since start, their data is lost (the last failure: connection \
             refused); exports succeeded again afterwards"
        );
        assert_eq!(
            *WARNINGS.lock().unwrap(),
            [
                "an export failed, its data is lost: no answer within 1s. Printed once: later \
              failures are counted, and the guard's shutdown reports them"
            ]
        );
    }
}
