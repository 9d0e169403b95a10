//! OpenTelemetry SDK setup for baton services: one call reads the standard `OTEL_*`
//! environment and installs tracing, metrics and propagation; exporters (OTLP, Zipkin, a
//! waterfall drawn in the terminal) behind a [batch processor](batch) that counts and
//! reports the spans it must drop, samplers (adaptive, rate-limited), baggage helpers and a
//! test kit.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod baggage;
pub mod batch;
mod env;
pub mod exporter;
mod init;
pub mod sampler;
pub mod testing;
pub mod waterfall;

pub use init::{Builder, DEFAULT_SHUTDOWN_DEADLINE, Guard, InitError, ShutdownError, init};
