//! [`Guard`]: the installed providers, flushed and shut down when it is dropped.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

use super::propagator::SharedPropagator;
use super::shutdown::{Providers, shutdown_within};
use crate::batch::QueueStats;
use crate::error::ShutdownError;
use crate::exporter::status::ExportStatus;

/// What [`init`](crate::init) and [`Builder::build`](crate::Builder::build) set up. Keep it
/// alive for as long as the program should export telemetry: dropping it flushes what is
/// queued and shuts the providers down, taking at most the shutdown deadline (5 s unless
/// [`Builder::shutdown_deadline`](crate::Builder::shutdown_deadline) says otherwise), even
/// when the collector is unreachable.
///
/// The providers are reachable here as well as through the globals, which is how a process
/// running several services (each with its own `service.name`) hands each one its own:
///
/// ```no_run
/// use baton_sdk::{Builder, waterfall::WaterfallExporter};
/// use opentelemetry::trace::{Tracer, TracerProvider};
///
/// let shared = WaterfallExporter::stdout();
/// let users = Builder::new()
///     .service_name("users")
///     .waterfall(shared.clone())
///     .install_global(false)
///     .build()?;
/// let tracer = users.tracer_provider().tracer("users");
/// tracer.in_span("GET /users/{id}", |_cx| { /* ... */ });
/// # Ok::<(), baton_sdk::InitError>(())
/// ```
#[must_use = "dropping the guard shuts telemetry down at once; keep it alive until the end of main"]
#[derive(Debug)]
pub struct Guard {
    pub(super) tracer_provider: SdkTracerProvider,
    pub(super) meter_provider: SdkMeterProvider,
    pub(super) propagator: SharedPropagator,
    pub(super) deadline: Duration,
    pub(super) warnings: Vec<String>,
    pub(super) disabled: bool,
    pub(super) metrics_status: Arc<ExportStatus>,
    pub(super) span_queues: Vec<Arc<QueueStats>>,
    /// The logger provider of the logs signal, when a log exporter is configured.
    #[cfg(feature = "logs")]
    pub(super) logger_provider: Option<opentelemetry_sdk::logs::SdkLoggerProvider>,
    /// What the `tracing` layers are built from.
    /// The counters of each log record export queue.
    #[cfg(feature = "logs")]
    pub(super) log_queues: Vec<Arc<QueueStats>>,
    #[cfg(feature = "logs")]
    pub(super) logs: crate::logs::Setup,
    pub(super) done: bool,
}

impl Guard {
    /// The tracer provider. With `OTEL_SDK_DISABLED=true` it samples nothing and exports
    /// nothing.
    pub fn tracer_provider(&self) -> &SdkTracerProvider {
        &self.tracer_provider
    }

    /// A tracer from [`tracer_provider`](Self::tracer_provider).
    pub fn tracer(&self, name: &'static str) -> SdkTracer {
        self.tracer_provider.tracer(name)
    }

    /// The meter provider. It has no reader (so instruments record nothing) when no metric
    /// exporter is configured, metrics are turned off, or the SDK is disabled.
    pub fn meter_provider(&self) -> &SdkMeterProvider {
        &self.meter_provider
    }

    /// The logger provider of the logs signal, or `None` when no log exporter is configured
    /// (`OTEL_LOGS_EXPORTER=none`, or the SDK is disabled).
    #[cfg(feature = "logs")]
    pub fn logger_provider(&self) -> Option<&opentelemetry_sdk::logs::SdkLoggerProvider> {
        self.logger_provider.as_ref()
    }

    /// The `tracing` layers baton installs as the global subscriber's, for a subscriber of
    /// your own: the `RUST_LOG` filter, tracing-opentelemetry on this guard's tracer
    /// provider, the log lines on standard error and the logs signal, as one layer. See the
    /// [`logs`](crate::logs) module for an example.
    #[cfg(feature = "logs")]
    pub fn tracing_layer<S>(&self) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync + 'static>
    where
        S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
    {
        self.logs.layer()
    }

    /// The propagator (from `OTEL_PROPAGATORS` unless the builder was given one).
    pub fn propagator(&self) -> &(dyn TextMapPropagator + Send + Sync) {
        &*self.propagator
    }

    /// Whether `OTEL_SDK_DISABLED=true` turned the SDK off.
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    /// The warnings about values that were ignored or adjusted (each was also printed
    /// once on standard error).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Spans dropped so far because an export queue was full (the exporter was not
    /// keeping up) or because they ended after shutdown. Each drop is also reported on
    /// standard error (at most every 10 s), in the error of [`shutdown`](Self::shutdown),
    /// and in the `otel.sdk.processor.span.processed` metric.
    pub fn dropped_spans(&self) -> u64 {
        self.span_queues.iter().map(|q| q.dropped()).sum()
    }

    /// The counters of each span export queue, one per exporter (see
    /// [`BatchProcessor`](crate::batch::BatchProcessor)).
    pub fn span_queues(&self) -> &[Arc<QueueStats>] {
        &self.span_queues
    }

    /// The counters of each log record export queue, one per log exporter (see
    /// [`LogBatchProcessor`](crate::batch::LogBatchProcessor)): records dropped on a full
    /// queue are counted there, warned about and reported by [`shutdown`](Self::shutdown)
    /// as spans are.
    #[cfg(feature = "logs")]
    pub fn log_queues(&self) -> &[Arc<QueueStats>] {
        &self.log_queues
    }

    /// Flushes and shuts down now. Returns an error when telemetry was lost: spans dropped
    /// on a full queue at any time, exports that failed, or what could not be flushed by
    /// the deadline. Dropping the guard does the same and prints any such error on
    /// standard error.
    pub fn shutdown(mut self) -> Result<(), ShutdownError> {
        self.done = true;
        self.shutdown_now()
    }

    fn shutdown_now(&self) -> Result<(), ShutdownError> {
        let providers = Providers {
            traces: &self.tracer_provider,
            metrics: &self.meter_provider,
            #[cfg(feature = "logs")]
            logs: self.logger_provider.as_ref(),
        };
        #[cfg_attr(not(feature = "logs"), allow(unused_variables))]
        let (traces, metrics, logs) = match shutdown_within(providers, self.deadline) {
            Ok(()) => (None, None, None),
            Err(e) => (e.traces, e.metrics, e.logs),
        };
        // A failed export is better explained by the exporters' own record than by the
        // provider's wrapped error text; a timeout is known from baton's own queues (the
        // tracer provider would only say so inside a string wrapping every processor's
        // error) and is reported besides any failure. Dropped spans come on top.
        let timed_out = self.span_queues.iter().any(|q| q.shutdown_timed_out());
        let late = timed_out.then(|| {
            format!(
                "not finished within the shutdown deadline of {:?}; what was not exported is lost",
                self.deadline
            )
        });
        let failed = join(
            self.span_queues
                .iter()
                .map(|q| q.failure_report())
                .collect(),
        );
        let traces = if timed_out { failed } else { failed.or(traces) };
        let mut traces_parts = vec![late, traces];
        traces_parts.extend(self.span_queues.iter().map(|q| q.loss_report()));
        let error = ShutdownError {
            traces: join(traces_parts),
            metrics: self.metrics_status.last_failure().or(metrics),
            #[cfg(feature = "logs")]
            logs: {
                let failed = join(self.log_queues.iter().map(|q| q.failure_report()).collect());
                let mut parts = vec![failed.or(logs)];
                parts.extend(self.log_queues.iter().map(|q| q.loss_report()));
                join(parts)
            },
            #[cfg(not(feature = "logs"))]
            logs: None,
        };
        if error.traces.is_none() && error.metrics.is_none() && error.logs.is_none() {
            Ok(())
        } else {
            Err(error)
        }
    }
}

/// The parts that are there, as one sentence list, or `None` when there is none.
fn join(parts: Vec<Option<String>>) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        if let Err(e) = self.shutdown_now() {
            eprintln!("baton: {e}");
        }
    }
}
