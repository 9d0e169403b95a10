//! What the export thread needs of an exporter, for either signal: [`SpanExports`] wraps a
//! span exporter, [`LogExports`] a log exporter, and one [`Worker`](super::worker::Worker)
//! drives both.

use std::future::Future;
use std::time::Duration;

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::limit;

/// An exporter as the export thread drives it.
pub(crate) trait Exports: Send + 'static {
    /// What the queue holds.
    type Item: Send + 'static;
    /// Cuts the item's string values to `max_value_length` bytes, if given, and returns
    /// the bytes it is estimated to take in an export.
    fn prepare(item: &mut Self::Item, max_value_length: Option<usize>) -> usize;
    /// Exports one batch.
    fn export(&self, batch: Vec<Self::Item>) -> impl Future<Output = OTelSdkResult>;
    fn force_flush(&mut self) -> OTelSdkResult;
    fn shutdown_with_timeout(&mut self, timeout: Duration) -> OTelSdkResult;
    fn set_resource(&mut self, resource: &Resource);
}

/// A span exporter, driven by the export thread.
pub(crate) struct SpanExports<E>(pub(crate) E);

impl<E: SpanExporter + 'static> Exports for SpanExports<E> {
    type Item = SpanData;

    fn prepare(span: &mut SpanData, max_value_length: Option<usize>) -> usize {
        if let Some(max) = max_value_length {
            limit::cut_values(span, max);
        }
        limit::encoded_size(span)
    }

    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> {
        self.0.export(batch)
    }

    fn force_flush(&mut self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&mut self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

/// A log record and the scope it was emitted in, as the queue holds them.
#[cfg(feature = "logs")]
pub(crate) type LogItem = (
    opentelemetry_sdk::logs::SdkLogRecord,
    opentelemetry::InstrumentationScope,
);

/// A log exporter, driven by the export thread.
#[cfg(feature = "logs")]
pub(crate) struct LogExports<E>(pub(crate) E);

#[cfg(feature = "logs")]
impl<E: opentelemetry_sdk::logs::LogExporter + 'static> Exports for LogExports<E> {
    type Item = LogItem;

    /// Log records are cut where they are made (the logs bridge), not here.
    fn prepare(item: &mut LogItem, _max_value_length: Option<usize>) -> usize {
        limit::log_size(&item.0)
    }

    async fn export(&self, batch: Vec<LogItem>) -> OTelSdkResult {
        let refs: Vec<(
            &opentelemetry_sdk::logs::SdkLogRecord,
            &opentelemetry::InstrumentationScope,
        )> = batch
            .iter()
            .map(|(record, scope)| (record, scope))
            .collect();
        self.0
            .export(opentelemetry_sdk::logs::LogBatch::new(&refs))
            .await
    }

    fn force_flush(&mut self) -> OTelSdkResult {
        // Log exporters have nothing to flush beyond what each export sends.
        Ok(())
    }

    fn shutdown_with_timeout(&mut self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}
