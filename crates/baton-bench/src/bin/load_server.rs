//! A small axum server for load runs over loopback: the benchmark route, bare or with
//! baton's server layer, exporting to a span-counting exporter.
//!
//! ```text
//! load_server <bare|baton|baton_nometrics> <port> <seconds>
//! ```
//!
//! Listens on `127.0.0.1:<port>` on a one-worker tokio runtime (the load generator gets the
//! other core), serves `GET /users/{id}`, and stops by itself after `<seconds>` (or on
//! Ctrl-C / SIGTERM). On stopping it shuts the tracer provider down and prints
//! `exported_spans=<count>`. `scripts/bench_load.sh` drives it with wrk.

use axum::Router;
use baton_bench::{CountingExporter, routes};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [case, port, seconds] = args.as_slice() else {
        eprintln!("usage: load_server <bare|baton|baton_nometrics> <port> <seconds>");
        return ExitCode::from(2);
    };
    let (Ok(port), Ok(seconds)) = (port.parse::<u16>(), seconds.parse::<u64>()) else {
        eprintln!("load_server: <port> and <seconds> must be whole numbers");
        return ExitCode::from(2);
    };

    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let exporter = CountingExporter::new();
    let exported = exporter.counter();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let layer = baton_tower::server::ServerLayer::new();
    let app: Router = match case.as_str() {
        "bare" => routes(),
        "baton" => routes().layer(layer.tracer_provider(&provider)),
        "baton_nometrics" => routes().layer(layer.without_metrics().tracer_provider(&provider)),
        other => {
            eprintln!("load_server: unknown case {other:?}");
            return ExitCode::from(2);
        }
    };

    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("load_server: cannot start a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        eprintln!("load_server: {case} on {}", listener.local_addr()?);
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let term = async {
                    #[cfg(unix)]
                    if let Ok(mut s) =
                        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    {
                        s.recv().await;
                        return;
                    }
                    std::future::pending::<()>().await
                };
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(seconds)) => {}
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term => {}
                }
            })
            .await
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    if let Err(e) = served {
        eprintln!("load_server: {e}");
        return ExitCode::FAILURE;
    }
    let _ = provider.shutdown();
    println!("exported_spans={}", exported.load(Ordering::Relaxed));
    ExitCode::SUCCESS
}
