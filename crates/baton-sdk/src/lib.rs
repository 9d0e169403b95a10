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
//! | `tls` | yes | https endpoints for the network exporters: rustls (aws-lc-rs), no OpenSSL; see [TLS](#tls) |
//! | `waterfall` | yes | `OTEL_TRACES_EXPORTER=console`, the terminal waterfall (the default exporter when no OTLP endpoint is set) |
//! | `logs` | yes | `tracing` set up by `init` (spans in the trace, log lines with trace ids, `RUST_LOG`) and the logs signal (`OTEL_LOGS_EXPORTER`): see [`logs`] |
//! | `testing` | no | `testing`: in-memory spans and metrics to assert on in tests |
//!
//! With the defaults, `init()` behaves as described there. In a build without some of
//! them, a variable that selects what was left out (`OTEL_TRACES_EXPORTER=zipkin` without
//! `zipkin`, say) fails [`init`] with an [`InitError::NotCompiled`] naming the variable, the
//! value and the feature to enable. With only `otlp-grpc` of the two OTLP transports, the
//! default protocol is `grpc`; without `waterfall`, traces go nowhere unless an exporter is
//! configured.
//!
//! # TLS
//!
//! An `https://` endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, the per-signal `..._ENDPOINT`s,
//! `OTEL_EXPORTER_ZIPKIN_ENDPOINT`) is reached over TLS with rustls. The server is verified
//! against the system's root certificates, read through `rustls-native-certs` (on Linux
//! the distribution's CA bundle; `SSL_CERT_FILE` and `SSL_CERT_DIR` override it) — the
//! system's store rather than a Mozilla list compiled in (`webpki-roots`), because that
//! is where operators add a company CA and where distributions withdraw distrusted ones,
//! without rebuilding the service. With a CA file, only its certificates are trusted.
//!
//! | variable (and its `TRACES_` / `METRICS_` form, which wins) | builder |
//! |---|---|
//! | `OTEL_EXPORTER_OTLP_CERTIFICATE`: PEM CA certificates that verify the collector | [`Builder::tls_certificate`] |
//! | `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`, `OTEL_EXPORTER_OTLP_CLIENT_KEY`: PEM client certificate and key (mTLS) | [`Builder::tls_client_identity`] |
//! | `OTEL_EXPORTER_OTLP_INSECURE`: for gRPC, an endpoint without a scheme is `http://` when `true`, else `https://`; an explicit scheme always wins | |
//!
//! The builder's paths win over the variables and apply to the Zipkin exporter too.
//! Every file is read and checked when [`Builder::build`] runs: a missing or unreadable
//! file, one that is not PEM, or a key that is not the certificate's fails it with an
//! [`InitError`] naming the variable (or method) and the path. A collector whose
//! certificate cannot be verified (an unknown CA, another host's name, expired) makes
//! exports fail: counted, warned about once on standard error with the endpoint and
//! rustls's reason, reported by [`Guard::shutdown`]; requests never wait for it.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod baggage;
pub mod batch;
mod env;
mod error;
pub mod exporter;
mod init;
#[cfg(feature = "logs")]
pub mod logs;
pub mod sampler;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "waterfall")]
pub mod waterfall;

pub use error::{InitError, ShutdownError};
pub use init::{Builder, DEFAULT_SHUTDOWN_DEADLINE, Guard, ResourceDetector, init};
