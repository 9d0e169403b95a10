//! Shared setup for baton's benchmarks.
//!
//! One [`Bench`] per measured case, used three ways:
//!
//! - by the criterion benches (`benches/server.rs`, `benches/client.rs`), for wall-clock time;
//! - by the `per_request` binary, which `scripts/bench_instructions.sh` runs under callgrind
//!   to count instructions and allocations per request;
//! - by the `load_server` binary, which `scripts/bench_load.sh` drives with wrk over loopback.
//!
//! Server cases send one in-process request through an axum router with
//! `tower::ServiceExt::oneshot` and collect the response body; client cases send one request
//! through a `reqwest_middleware` client to an untraced axum server on 127.0.0.1. Every case
//! that traces has its own SDK tracer provider with a batch processor and a
//! [`CountingExporter`], which drops spans but counts them, so a run can prove that no span
//! was lost.

pub mod alloc;
mod cases;
mod export;
mod minimal;

pub use cases::{Bench, CLIENT_CASES, CaseInfo, SERVER_CASES, case_info, routes, server_request};
pub use export::{CountingExporter, DiscardingMetricExporter};
pub use minimal::{MinimalLayer, MinimalService};
