//! What the network exporters report back: the SDK's batch processor and periodic reader
//! log export failures and move on (their shutdown says `Ok` even when the final export
//! failed), so baton records each result here for the [`Guard`](crate::Guard) to report.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};

/// Export outcomes for one signal, shared by its exporters and the guard.
#[derive(Debug, Default)]
pub(crate) struct ExportStatus {
    failed: AtomicUsize,
    last: Mutex<Outcomes>,
}

#[derive(Debug, Default)]
struct Outcomes {
    /// Why the most recent failed export failed.
    why: Option<String>,
    /// Whether the most recent export succeeded.
    recovered: bool,
}

impl ExportStatus {
    /// Records the outcome of one export.
    pub(crate) fn record(&self, result: &OTelSdkResult) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(()) => last.recovered = true,
            Err(e) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                *last = Outcomes {
                    why: Some(describe(e)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_stay_reported_after_a_recovery() {
        let status = ExportStatus::default();
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
    }
}
