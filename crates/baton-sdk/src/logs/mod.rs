//! `tracing` wired in: what [`init`](crate::init) sets up so that a service's own `tracing`
//! spans join its traces and every log line names the trace it belongs to.
//!
//! `init` installs one global `tracing` subscriber (unless
//! [`Builder::tracing_subscriber(false)`](crate::Builder::tracing_subscriber)) made of:
//!
//! - a filter from `RUST_LOG` (or [`Builder::log_filter`](crate::Builder::log_filter)),
//!   `info` by default (OpenTelemetry's own crates: `warn`); a directive that does not parse fails `init` naming the variable;
//! - tracing-opentelemetry, so `info_span!` and `#[instrument]` spans become spans under the
//!   current server or client span, and a baton client span started inside a `tracing` span
//!   is that span's child;
//! - a line on standard error for every event, in text or JSON (`BATON_LOG_FORMAT`,
//!   [`Builder::log_format`](crate::Builder::log_format)), with the trace id and span id of
//!   the current context — also for an unsampled request, where the trace id is the
//!   caller's (and the span id the caller's, or, inside a `tracing` span, that of the
//!   unrecorded local span); control characters in messages and values are escaped, so a
//!   line never forges another;
//! - the logs signal: every event as an OpenTelemetry log record with its trace context,
//!   exported where `OTEL_LOGS_EXPORTER` says (OTLP, or the terminal waterfall, which draws
//!   each record inside its span), through a batch processor configured by `OTEL_BLRP_*`.
//!
//! Records of the `log` crate go through the same path. If a global subscriber is already
//! installed, `init` says so once on standard error and carries on without its own.
//!
//! # Text and JSON lines
//!
//! ```text
//! 2026-12-01T15:35:38.123456Z  INFO users: loading profile user.id=7 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7
//! {"timestamp":"2026-12-01T15:35:38.123456Z","level":"INFO","severity_number":9,"target":"users","message":"loading profile","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01","attributes":{"user.id":7}}
//! ```
//!
//! The trace fields are those the specification names for trace context in non-OTLP log
//! formats (`trace_id`, `span_id`, `trace_flags`, lowercase hex), which log backends use to
//! link a line to its trace; the others are the names log backends commonly read
//! (`timestamp`, `level`, `message`, `target`) with the data model's `severity_number`,
//! and the event's fields under `attributes`.
//!
//! # With a subscriber of your own
//!
//! Turn baton's off and add its layers to yours with
//! [`Guard::tracing_layer`](crate::Guard::tracing_layer). Its `RUST_LOG` filter applies to
//! baton's layers only (a per-layer filter), not to the others of your subscriber. Records
//! of the `log` crate reach it only if `tracing_log::LogTracer` is installed, which baton's
//! own subscriber does and yours must:
//!
//! ```
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! let guard = baton_sdk::Builder::from_env_map([("OTEL_TRACES_EXPORTER", "none")])
//!     .tracing_subscriber(false)
//!     .install_global(false)
//!     .build()?;
//! let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
//! tracing::subscriber::with_default(subscriber, || {
//!     tracing::info!(user.id = 7, "loading profile");
//! });
//! # Ok::<(), baton_sdk::InitError>(())
//! ```

mod bridge;
mod current;
mod events;
mod fields;
mod filter;
mod line;
pub(crate) mod subscriber;
mod swap;
mod time;

use opentelemetry::logs::Severity;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::logs::SdkLogger;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;

pub(crate) use filter::Filter;
pub(crate) use line::Sink;

/// How log lines look on standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogFormat {
    /// One readable line per event (`BATON_LOG_FORMAT=text`, the default).
    #[default]
    Text,
    /// One JSON object per event (`BATON_LOG_FORMAT=json`).
    Json,
}

/// The OpenTelemetry severity of a `tracing` level.
pub(crate) fn severity(level: tracing::Level) -> Severity {
    match level {
        tracing::Level::TRACE => Severity::Trace,
        tracing::Level::DEBUG => Severity::Debug,
        tracing::Level::INFO => Severity::Info,
        tracing::Level::WARN => Severity::Warn,
        tracing::Level::ERROR => Severity::Error,
    }
}

/// Everything the layers are built from; the guard keeps it, so it can build them again for
/// a subscriber of the user's own.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub(crate) filter: Filter,
    pub(crate) format: LogFormat,
    pub(crate) sink: Sink,
    pub(crate) tracer_provider: SdkTracerProvider,
    /// The logger of the logs signal; `None` when no log exporter is configured.
    pub(crate) logger: Option<SdkLogger>,
    /// Record bodies and string attributes are cut to this many bytes
    /// (`OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`).
    pub(crate) value_length: Option<usize>,
}

impl Setup {
    /// The tracer the application's `tracing` spans are recorded with: its own
    /// instrumentation scope, as they are not the spans baton's layers record (`baton`).
    pub(crate) fn tracer(&self) -> opentelemetry_sdk::trace::SdkTracer {
        let scope = opentelemetry::InstrumentationScope::builder("baton::tracing")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        self.tracer_provider.tracer_with_scope(scope)
    }

    /// The layer that writes lines and emits records.
    pub(crate) fn events(&self) -> events::EventLayer {
        events::EventLayer {
            lines: line::Lines {
                format: self.format,
                sink: self.sink.clone(),
            },
            records: self.logger.clone().map(|logger| bridge::Records {
                logger,
                value_length: self.value_length,
            }),
        }
    }

    /// tracing-opentelemetry and the event layer, behind the `RUST_LOG` filter as a
    /// per-layer filter (so it filters only baton's layers, not the others of the user's
    /// subscriber), as one layer.
    pub(crate) fn layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync + 'static>
    where
        S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        let spans = tracing_opentelemetry::layer().with_tracer(self.tracer());
        Box::new(
            spans
                .and_then(self.events())
                .with_filter(self.filter.build()),
        )
    }
}
