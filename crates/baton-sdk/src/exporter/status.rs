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
    last_error: Mutex<Option<String>>,
}

impl ExportStatus {
    /// Records the outcome of one export.
    pub(crate) fn record(&self, result: &OTelSdkResult) {
        let mut last = self.last_error.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(()) => *last = None,
            Err(e) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                *last = Some(describe(e));
            }
        }
    }

    /// Why the most recent export failed, if it did, with the number of failures so far.
    pub(crate) fn last_failure(&self) -> Option<String> {
        let last = self.last_error.lock().unwrap_or_else(|p| p.into_inner());
        let why = last.as_ref()?;
        let failed = self.failed.load(Ordering::Relaxed);
        Some(format!(
            "the last export failed ({why}); {failed} failed export{} since start, their data is lost",
            if failed == 1 { "" } else { "s" }
        ))
    }
}

fn describe(e: &OTelSdkError) -> String {
    match e {
        OTelSdkError::Timeout(after) => format!("no answer within {after:?}"),
        OTelSdkError::InternalFailure(why) => why.clone(),
        OTelSdkError::AlreadyShutdown => "the exporter was already shut down".into(),
    }
}
