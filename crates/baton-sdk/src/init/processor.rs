//! Boxed span processors, so the builder can hold processors of any type, and the
//! processor that sits behind an error-rate processor when nothing exports.

use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use crate::batch::{BatchOptions, BatchProcessor};

/// A span processor behind a box.
#[derive(Debug)]
pub(crate) struct BoxedProcessor(pub(crate) Box<dyn SpanProcessor>);

impl SpanProcessor for BoxedProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.0.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn shutdown(&self) -> OTelSdkResult {
        self.0.shutdown()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

/// Lets spans go once they are counted: what an adaptive sampler's error-rate processor
/// hands spans to when no exporter is configured.
#[derive(Debug)]
pub(crate) struct Discard;

impl SpanProcessor for Discard {
    fn on_start(&self, _: &mut Span, _: &Context) {}

    fn on_end(&self, _: SpanData) {}

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// Turns an exporter given to the builder into a batch processor once the batch settings
/// are known.
pub(crate) type ExporterFactory = Box<dyn FnOnce(BatchOptions) -> BatchProcessor>;
