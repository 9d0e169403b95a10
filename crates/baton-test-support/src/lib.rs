//! What baton's tests share across crates (not published): real receivers on 127.0.0.1
//! that decode what arrives on the wire, collectors that are not there, servers on
//! loopback and bounded waits.
//!
//! - [`otlp`]: the one OTLP receiver of traces, metrics and logs, the collector's services
//!   over gRPC (tonic) and protobuf bodies over HTTP (prost), gzip accepted on both, with
//!   its spans drawn as trees ([`otlp::trace`]) and its log records flattened
//!   ([`otlp::Log`]) for exact comparison;
//! - [`jaeger`]: a real Jaeger v2 (built by `scripts/jaeger.sh`) on free loopback ports,
//!   read back through its query API into the receiver's spans;
//! - [`zipkin`]: a Zipkin receiver (`POST /api/v2/spans`, JSON);
//! - [`loopback`]: a port that refuses connections, a collector that hangs, runtimes and
//!   axum servers on 127.0.0.1;
//! - [`tls`]: a private CA per test, the certificates it issues, and a TLS listener;
//! - [`wait`]: bounded, polling waits for plain `#[test]` functions;
//! - [`lines`]: an in-memory writer to capture what a program writes.
//!
//! Every server runs on a Tokio runtime of its own, so a test can block (as
//! `Guard::shutdown` does) without starving it; each stops when dropped.
//!
//! The crate depends on no baton crate, so each of them can dev-depend on it. Waits on
//! baton's in-memory telemetry (`baton_sdk::testing`) live in that kit.

pub mod decode;
mod http_request;
pub mod jaeger;
pub mod lines;
pub mod loopback;
pub mod otlp;
pub mod tls;
pub mod wait;
pub mod zipkin;
