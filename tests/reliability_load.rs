//! Load: requests at the maximum rate over loopback through a traced axum server whose
//! spans (all sampled) and metrics go over OTLP/gRPC to a live receiver in this process,
//! which counts what it decodes without keeping it. Afterwards:
//!
//! - spans received = requests served (nothing dropped, nothing doubled);
//! - `http.server.active_requests`, as last exported, is 0, and the
//!   `http.server.request.duration` count is the number of requests;
//! - this process's RSS (`VmRSS`) grew by less than 50 MB after the warm-up.
//!
//! The test runs 5 s (1 s of warm-up). `scripts/soak_load.sh` runs it for 60 s, in
//! release, through `BATON_SOAK_SECS`, `BATON_SOAK_WARMUP_SECS` and
//! `BATON_SOAK_CONCURRENCY`.

mod reliability_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use baton::ServerLayer;
use baton::propagation::{CompositePropagator, PropagatorKind};
use baton_test_support::loopback::{runtime, serve_axum_on};
use baton_test_support::otlp::{Options, Receiver};
use reliability_common::{client, env_or, rss_bytes, telemetry};

const MB: f64 = 1024.0 * 1024.0;

#[test]
fn maximum_rate_load_exports_every_span_and_keeps_memory_flat() {
    let secs: u64 = env_or("BATON_SOAK_SECS", 5);
    let warmup: u64 = env_or("BATON_SOAK_WARMUP_SECS", 1);
    let concurrency: usize = env_or("BATON_SOAK_CONCURRENCY", 8);
    assert!(warmup < secs);

    let receiver = Receiver::with(Options::default());
    let guard = telemetry(
        "load",
        &[
            ("OTEL_TRACES_EXPORTER", "otlp".into()),
            ("OTEL_METRICS_EXPORTER", "otlp".into()),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpc_url()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".into()),
            ("OTEL_TRACES_SAMPLER", "always_on".into()),
            ("OTEL_BSP_SCHEDULE_DELAY", "200".into()),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "65536".into()),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2048".into()),
            ("OTEL_METRIC_EXPORT_INTERVAL", "1000".into()),
        ],
        Duration::from_secs(30),
    );
    let app = Router::new()
        .route("/users/{id}", get(|| async { "user" }))
        .layer(
            ServerLayer::new()
                .with_active_requests_metric()
                .propagator(CompositePropagator::new([
                    PropagatorKind::TraceContext,
                    PropagatorKind::Baggage,
                ]))
                .tracer_provider(guard.tracer_provider())
                .meter_provider(guard.meter_provider()),
        );
    let server_rt = runtime("load-server", 1);
    let client_rt = runtime("load-client", 1);
    let server = serve_axum_on(&server_rt, app);

    // RSS, sampled every 250 ms while the load runs.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            let mut samples = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                samples.push((start.elapsed(), rss_bytes()));
                std::thread::sleep(Duration::from_millis(250));
            }
            samples
        })
    };

    let served = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    client_rt.block_on(async {
        let client = Arc::new(client());
        let end = Instant::now() + Duration::from_secs(secs);
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let (client, served, failed) = (client.clone(), served.clone(), failed.clone());
            tasks.push(tokio::spawn(async move {
                let mut i = worker;
                while Instant::now() < end {
                    let (status, _) =
                        reliability_common::get(&client, server, &format!("/users/{i}")).await;
                    if status == 200 {
                        served.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    i += concurrency;
                }
            }));
        }
        for t in tasks {
            t.await.expect("client task");
        }
    });
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    let samples = sampler.join().expect("RSS sampler");
    let served = served.load(Ordering::SeqCst);
    let failed = failed.load(Ordering::SeqCst);

    let queued_at_end = served.saturating_sub(receiver.server_span_count());
    let start = Instant::now();
    let shutdown = guard.shutdown();
    let flush = start.elapsed();

    let first = samples.first().map_or(0, |s| s.1);
    let at_warmup = samples
        .iter()
        .find(|(t, _)| *t >= Duration::from_secs(warmup))
        .map_or(first, |s| s.1);
    let peak = samples
        .iter()
        .filter(|(t, _)| *t >= Duration::from_secs(warmup))
        .map(|s| s.1)
        .max()
        .unwrap_or(at_warmup);
    let last = samples.last().map_or(0, |s| s.1);
    let growth = peak.saturating_sub(at_warmup) as f64 / MB;
    let spans = receiver.server_span_count();
    let active = receiver.metric_total("http.server.active_requests");
    let durations = receiver.metric_total("http.server.request.duration");
    eprintln!(
        "load: {secs} s, {concurrency} connections: {served} served ({:.0}/s), {failed} failed; \
         {spans} server spans received ({queued_at_end} still queued when the load stopped, \
         flushed in {flush:?}); active_requests={active:?}, request.duration count={durations:?}; \
         RSS start {:.1} MB, after {warmup} s warm-up {:.1} MB, peak {:.1} MB, end {:.1} MB: growth {growth:.1} MB",
        served as f64 / elapsed.as_secs_f64(),
        first as f64 / MB,
        at_warmup as f64 / MB,
        peak as f64 / MB,
        last as f64 / MB,
    );

    assert_eq!(failed, 0, "every request is served 200");
    assert!(served > 0);
    assert_eq!(shutdown, Ok(()), "a clean shutdown with the receiver up");
    assert_eq!(spans, served, "spans received = requests served");
    assert_eq!(
        receiver.span_count(),
        served,
        "no spans other than the server's"
    );
    assert_eq!(active, Some(0.0), "http.server.active_requests back to 0");
    assert_eq!(
        durations,
        Some(served as f64),
        "one request.duration point per request"
    );
    assert!(
        growth < 50.0,
        "RSS grew {growth:.1} MB after the warm-up (limit 50 MB)"
    );
    assert!(receiver.errors().is_empty(), "{:?}", receiver.errors());
}
