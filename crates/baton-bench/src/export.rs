//! [`CountingExporter`]: a span exporter that drops every span and counts them.

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Drops every exported span, counting them: the cheapest exporter there is, so a benchmark
/// measures the instrumentation and the SDK's span path, not serialisation or I/O.
#[derive(Clone, Debug, Default)]
pub struct CountingExporter {
    exported: Arc<AtomicU64>,
}

impl CountingExporter {
    /// A new exporter with its count at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// The shared count of spans exported so far, readable after the exporter has been
    /// handed to a processor.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.exported.clone()
    }
}

impl SpanExporter for CountingExporter {
    fn export(
        &self,
        batch: Vec<SpanData>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        self.exported
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        drop(batch);
        std::future::ready(Ok(()))
    }
}

/// Drops every exported log record, counting them (the `baton_init_tracing*` cases).
#[derive(Clone, Debug, Default)]
pub struct CountingLogExporter {
    exported: Arc<AtomicU64>,
}

impl opentelemetry_sdk::logs::LogExporter for CountingLogExporter {
    fn export(
        &self,
        batch: opentelemetry_sdk::logs::LogBatch<'_>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        self.exported
            .fetch_add(batch.iter().count() as u64, Ordering::Relaxed);
        std::future::ready(Ok(()))
    }
}

/// Drops every metric export: lets a benchmark measure recording into the SDK's
/// aggregations, the per-request part of metrics, without any export cost.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiscardingMetricExporter;

impl opentelemetry_sdk::metrics::exporter::PushMetricExporter for DiscardingMetricExporter {
    fn export(
        &self,
        _metrics: &opentelemetry_sdk::metrics::data::ResourceMetrics,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        std::future::ready(Ok(()))
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> opentelemetry_sdk::metrics::Temporality {
        opentelemetry_sdk::metrics::Temporality::Cumulative
    }
}
