//! Graceful shutdown: every span a server ended before its `baton::Guard` goes reaches the
//! collector, and the guard never holds the process past its deadline, whatever the
//! collector does.
//!
//! `BATON_SHUTDOWN_REQUESTS` (default 10 000) sets the requests of the flush tests.

mod reliability_common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use baton::ServerLayer;
use baton::propagation::{CompositePropagator, PropagatorKind};
use baton_test_support::loopback::{Blackhole, refused};
use baton_test_support::loopback::{runtime, serve_axum_on};
use baton_test_support::otlp::Receiver;
use reliability_common::{client, env_or, telemetry};

fn app(guard: &baton::Guard) -> Router {
    Router::new().route("/r/{i}", get(|| async { "ok" })).layer(
        ServerLayer::new()
            .propagator(CompositePropagator::new([PropagatorKind::TraceContext]))
            .tracer_provider(guard.tracer_provider())
            .meter_provider(guard.meter_provider()),
    )
}

/// Sends `n` requests `GET /r/{i}` from `concurrency` keep-alive connections; returns
/// how many were answered 200.
fn drive(rt: &tokio::runtime::Runtime, server: SocketAddr, n: usize, concurrency: usize) -> usize {
    let client = Arc::new(client());
    rt.block_on(async {
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let mut ok = 0;
                for i in (worker..n).step_by(concurrency) {
                    let (status, _) =
                        reliability_common::get(&client, server, &format!("/r/{i}")).await;
                    ok += usize::from(status == 200);
                }
                ok
            }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += t.await.expect("client task");
        }
        ok
    })
}

/// `n` requests through a traced server exporting to a live receiver over `protocol`,
/// then the guard goes (dropped, or shut down): every server span must have arrived by
/// the time it returns, each request exactly once. With `all_pending`, nothing is exported
/// before the guard goes (one batch as large as the queue, a one-minute delay), so the
/// shutdown flush carries every span.
fn flush_all(protocol: &str, by_drop: bool, all_pending: bool) {
    let n: usize = env_or("BATON_SHUTDOWN_REQUESTS", 10_000);
    let receiver = Receiver::start();
    let endpoint = if protocol == "grpc" {
        receiver.grpc_url()
    } else {
        receiver.http_url()
    };
    let deadline = Duration::from_secs(10);
    // Large enough that nothing is dropped however far the exporter falls behind: whatever
    // is lost is lost by shutdown.
    let queue = n.next_power_of_two().max(2048).to_string();
    let mut vars = vec![
        ("OTEL_TRACES_EXPORTER", "otlp".to_owned()),
        ("OTEL_METRICS_EXPORTER", "none".into()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.into()),
        ("OTEL_BSP_MAX_QUEUE_SIZE", queue.clone()),
    ];
    if all_pending {
        vars.push(("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", queue));
        vars.push(("OTEL_BSP_SCHEDULE_DELAY", "60000".into()));
    }
    let guard = telemetry("shutdown-flush", &vars, deadline);
    let server_rt = runtime("shutdown-server", 1);
    let client_rt = runtime("shutdown-client", 1);
    let server = serve_axum_on(&server_rt, app(&guard));

    let started = Instant::now();
    let ok = drive(&client_rt, server, n, 8);
    let serving = started.elapsed();
    assert_eq!(ok, n, "every request is served");
    let before = receiver.server_span_count();
    if all_pending {
        assert_eq!(before, 0, "nothing is exported before the guard goes");
    }

    let start = Instant::now();
    if by_drop {
        drop(guard);
    } else {
        guard
            .shutdown()
            .expect("a clean shutdown with the receiver up");
    }
    let took = start.elapsed();
    let spans = receiver.spans();
    let paths: HashSet<&str> = spans.iter().filter_map(|s| s.attr("url.path")).collect();
    let ids: HashSet<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    eprintln!(
        "{protocol}: {n} requests in {serving:?}; {before} spans had arrived before the guard went, \
         {} after; {} distinct paths; shutdown took {took:?} ({})",
        receiver.server_span_count(),
        paths.len(),
        if by_drop { "drop" } else { "Guard::shutdown" }
    );
    assert_eq!(receiver.server_span_count(), n, "server spans received");
    assert_eq!(spans.len(), n, "no other spans, no duplicates");
    assert_eq!(ids.len(), n, "distinct span ids");
    assert_eq!(paths.len(), n, "one span per request path");
    assert!(took < deadline, "shutdown took {took:?}");
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
}

#[test]
fn every_server_span_reaches_the_receiver_when_the_guard_is_dropped_grpc() {
    flush_all("grpc", true, true);
}

#[test]
fn every_server_span_reaches_the_receiver_on_guard_shutdown_http() {
    flush_all("http/protobuf", false, false);
}

/// Where the collector has gone.
enum Gone {
    Refused(SocketAddr),
    Blackhole(Blackhole),
    /// A receiver that took exports, then stopped.
    Stopped,
}

/// The guard returns within its deadline (plus the 100 ms baton allows the SDK to report
/// its own timeout, plus 200 ms of scheduling slack) with spans and metrics still queued
/// and the collector gone, whether it refuses, hangs or has stopped, and whether the guard
/// is shut down or dropped. The exporter's own timeouts are set to a minute so they cannot
/// be what ends it.
#[test]
fn shutdown_finishes_within_its_deadline_when_the_collector_is_gone() {
    let deadline = Duration::from_secs(1);
    let slack = Duration::from_millis(300);
    let server_rt = runtime("gone-server", 1);
    let client_rt = runtime("gone-client", 1);
    let mut report = Vec::new();
    for protocol in ["grpc", "http/protobuf"] {
        for (gone, by_drop) in [
            (Gone::Refused(refused()), false),
            (Gone::Blackhole(Blackhole::start()), false),
            (Gone::Stopped, false),
            (Gone::Blackhole(Blackhole::start()), true),
        ] {
            let mut receiver = None;
            let endpoint = match &gone {
                Gone::Refused(addr) => format!("http://{addr}"),
                Gone::Blackhole(hole) => hole.url(),
                Gone::Stopped => {
                    let r = Receiver::start();
                    let url = if protocol == "grpc" {
                        r.grpc_url()
                    } else {
                        r.http_url()
                    };
                    receiver = Some(r);
                    url
                }
            };
            let guard = telemetry(
                "shutdown-gone",
                &[
                    ("OTEL_TRACES_EXPORTER", "otlp".into()),
                    ("OTEL_METRICS_EXPORTER", "otlp".into()),
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                    ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.into()),
                    ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000".into()),
                    ("OTEL_BSP_EXPORT_TIMEOUT", "60000".into()),
                    ("OTEL_METRIC_EXPORT_TIMEOUT", "60000".into()),
                    ("OTEL_BSP_SCHEDULE_DELAY", "60000".into()),
                    ("OTEL_METRIC_EXPORT_INTERVAL", "60000".into()),
                ],
                deadline,
            );
            let server = serve_axum_on(&server_rt, app(&guard));
            if let Some(r) = receiver.take() {
                // Exports get through (connections are open), then the receiver stops.
                assert_eq!(drive(&client_rt, server, 600, 4), 600);
                assert!(
                    r.wait_until(Duration::from_secs(5), |r| r.server_span_count() >= 512),
                    "the receiver took a batch before stopping"
                );
                drop(r);
            }
            assert_eq!(drive(&client_rt, server, 1000, 4), 1000);

            let start = Instant::now();
            let result = if by_drop {
                drop(guard);
                None
            } else {
                Some(guard.shutdown())
            };
            let took = start.elapsed();
            let what = match &gone {
                Gone::Refused(_) => "refused",
                Gone::Blackhole(_) => "blackhole",
                Gone::Stopped => "stopped",
            };
            let how = if by_drop { "drop" } else { "shutdown" };
            report.push(format!("{protocol:<14} {what:<9} {how:<8} {took:?}"));
            assert!(
                took < deadline + slack,
                "{protocol} {what} {how}: took {took:?}, deadline {deadline:?}"
            );
            if let Some(result) = result {
                let error = result.expect_err("spans that could not be exported are reported");
                assert!(
                    error.traces().is_some(),
                    "{protocol} {what}: the trace flush failure is named: {error}"
                );
            }
        }
    }
    eprintln!(
        "shutdown with the collector gone (deadline {deadline:?}):\n{}",
        report.join("\n")
    );
}
