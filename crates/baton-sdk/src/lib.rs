//! OpenTelemetry SDK setup for baton services: one call reads the standard `OTEL_*`
//! environment and installs tracing, metrics and propagation; exporters (OTLP, Zipkin, a
//! waterfall drawn in the terminal) behind a [batch processor](batch) that counts and
//! reports the spans it must drop, samplers (adaptive, rate-limited), baggage helpers and a
//! test kit.
//!
//! # Feature flags
//!
//! | feature | default | what it brings |
//! |---|---|---|
//! | `otlp-grpc` | yes | OTLP over gRPC (tonic): `OTEL_EXPORTER_OTLP_PROTOCOL=grpc` |
//! | `otlp-http` | yes | OTLP over HTTP/protobuf (reqwest), the default protocol |
//! | `zipkin` | yes | `OTEL_TRACES_EXPORTER=zipkin`, `exporter::ZipkinExporter` |
//! | `waterfall` | yes | `OTEL_TRACES_EXPORTER=console`, the terminal waterfall (the default exporter when no OTLP endpoint is set) |
//! | `testing` | no | `testing`: in-memory spans and metrics to assert on in tests |
//!
//! With the defaults, `init()` behaves as described there. In a build without some of
//! them, a variable that selects what was left out (`OTEL_TRACES_EXPORTER=zipkin` without
//! `zipkin`, say) fails [`init`] with an [`InitError::NotCompiled`] naming the variable, the
//! value and the feature to enable. With only `otlp-grpc` of the two OTLP transports, the
//! default protocol is `grpc`; without `waterfall`, traces go nowhere unless an exporter is
//! configured.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod baggage;
pub mod batch;
mod env;
mod error;
pub mod exporter;
mod init;
pub mod sampler;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "waterfall")]
pub mod waterfall;

pub use error::{InitError, ShutdownError};
pub use init::{Builder, DEFAULT_SHUTDOWN_DEADLINE, Guard, init};
