//! Cancellation: clients that go away mid-response leave nothing behind. Each test serves
//! a traced axum app with `axum::serve` on a runtime of its own, so that runtime's
//! `num_alive_tasks` counts exactly the server's tasks (the accept loop, one per
//! connection), and counts the handler's bodies and futures alive with drop guards.
//!
//! - 1,000 requests whose clients disconnect mid-body: 1,000 server spans ended (each
//!   with its `request cancelled` event, status 200 as sent, no error), every body
//!   dropped, `http.server.active_requests` back to 0, 1,000 `request.duration` points,
//!   and the runtime back to its one accept task.
//! - 200 requests whose clients disconnect while the handler is still running: the same,
//!   and every handler future dropped.

mod reliability_common;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use baton::ServerLayer;
use baton::opentelemetry::trace::{SpanKind, Status};
use baton::propagation::{CompositePropagator, PropagatorKind};
use baton::testing::TestTelemetry;
use baton_test_support::loopback::{runtime, serve_axum_on};
use bytes::Bytes;
use http_body::Frame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Counts values alive: created and not yet dropped.
#[derive(Clone, Default)]
struct Live {
    created: Arc<AtomicUsize>,
    alive: Arc<AtomicUsize>,
}

struct LiveGuard(Arc<AtomicUsize>);

impl Live {
    fn guard(&self) -> LiveGuard {
        self.created.fetch_add(1, Ordering::SeqCst);
        self.alive.fetch_add(1, Ordering::SeqCst);
        LiveGuard(self.alive.clone())
    }

    fn created(&self) -> usize {
        self.created.load(Ordering::SeqCst)
    }

    fn alive(&self) -> usize {
        self.alive.load(Ordering::SeqCst)
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that never ends: a first chunk at once, then one every 5 ms.
struct Endless {
    _live: LiveGuard,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(sleep) = self.sleep.as_mut()
            && sleep.as_mut().poll(cx).is_pending()
        {
            return Poll::Pending;
        }
        self.sleep = Some(Box::pin(tokio::time::sleep(Duration::from_millis(5))));
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"chunk\n")))))
    }
}

fn layer(t: &TestTelemetry) -> ServerLayer<opentelemetry_sdk::trace::SdkTracer> {
    ServerLayer::new()
        .with_active_requests_metric()
        .propagator(CompositePropagator::new([PropagatorKind::TraceContext]))
        .tracer_provider(t.tracer_provider())
        .meter_provider(t.meter_provider())
}

/// Opens a connection, sends `GET {path}`, reads until `until` says enough has arrived
/// (given what has been read), and drops the connection.
async fn hang_up(addr: std::net::SocketAddr, path: &str, until: impl Fn(&[u8]) -> bool) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\n\r\n").as_bytes())
        .await
        .expect("send the request");
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !until(&seen) {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(
            n > 0,
            "the server closed first: {:?}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    drop(stream);
}

/// Waits up to 10 s for `done`, polling every 10 ms.
fn wait(what: &str, mut done: impl FnMut() -> bool, state: impl Fn() -> String) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}: {}",
            state()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn check_spans(t: &TestTelemetry, n: usize, status: Option<i64>) {
    let spans = t.wait_for_spans(n, Duration::from_secs(10));
    assert_eq!(spans.len(), n, "one span per request, no more");
    for span in spans.of_kind(SpanKind::Server) {
        let data = span.data();
        assert!(
            data.events.iter().any(|e| e.name == "request cancelled"),
            "{:?} has no `request cancelled` event",
            data.name
        );
        assert_eq!(
            data.status,
            Status::Unset,
            "a client going away is no server error"
        );
        assert_eq!(span.attr("error.type"), None);
        assert_eq!(
            span.attr("http.response.status_code"),
            status.map(baton::opentelemetry::Value::I64)
        );
    }
    assert_eq!(spans.of_kind(SpanKind::Server).len(), n);
    let metrics = t.metrics();
    assert!(!metrics.points("http.server.active_requests").is_empty());
    assert_eq!(metrics.total("http.server.active_requests"), 0.0);
    assert_eq!(metrics.count("http.server.request.duration"), n as u64);
}

#[test]
fn a_thousand_clients_hanging_up_mid_body_leave_no_span_metric_or_task_behind() {
    let n = 1000;
    let wave = 100;
    let t = TestTelemetry::new();
    let bodies = Live::default();
    let app = {
        let bodies = bodies.clone();
        Router::new()
            .route(
                "/endless",
                get(move || {
                    let bodies = bodies.clone();
                    async move {
                        axum::body::Body::new(Endless {
                            _live: bodies.guard(),
                            sleep: None,
                        })
                    }
                }),
            )
            .layer(layer(&t))
    };
    let server_rt = runtime("cancel-server", 1);
    let addr = serve_axum_on(&server_rt, app);
    let metrics = server_rt.metrics();
    let idle_tasks = metrics.num_alive_tasks();

    let client_rt = runtime("cancel-client", 1);
    let started = Instant::now();
    client_rt.block_on(async {
        for _ in 0..n / wave {
            let mut tasks = Vec::new();
            for _ in 0..wave {
                tasks.push(tokio::spawn(hang_up(addr, "/endless", |seen| {
                    // The head and at least the first chunk of the body.
                    seen.windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .is_some_and(|end| String::from_utf8_lossy(&seen[end..]).contains("chunk"))
                })));
            }
            for task in tasks {
                task.await.expect("client");
            }
        }
    });
    let sent = started.elapsed();

    wait(
        "every body dropped and every connection task gone",
        || bodies.alive() == 0 && metrics.num_alive_tasks() == idle_tasks,
        || {
            format!(
                "{} bodies alive, {} tasks alive (idle: {idle_tasks})",
                bodies.alive(),
                metrics.num_alive_tasks()
            )
        },
    );
    let settled = started.elapsed();
    assert_eq!(bodies.created(), n, "every request reached the handler");
    check_spans(&t, n, Some(200));
    eprintln!(
        "{n} mid-body disconnects: sent in {sent:?}, settled in {settled:?}; \
         {} bodies alive, {} runtime tasks alive (idle {idle_tasks})",
        bodies.alive(),
        metrics.num_alive_tasks()
    );
}

#[test]
fn clients_hanging_up_while_the_handler_runs_cancel_it_and_end_the_span() {
    let n = 200;
    let t = TestTelemetry::new();
    let handlers = Live::default();
    let app = {
        let handlers = handlers.clone();
        Router::new()
            .route(
                "/stuck",
                get(move || {
                    let live = handlers.guard();
                    async move {
                        let _live = live;
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        "never"
                    }
                }),
            )
            .layer(layer(&t))
    };
    let server_rt = runtime("stuck-server", 1);
    let addr = serve_axum_on(&server_rt, app);
    let metrics = server_rt.metrics();
    let idle_tasks = metrics.num_alive_tasks();

    let client_rt = runtime("stuck-client", 1);
    client_rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..n {
            tasks.push(tokio::spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
                stream
                    .write_all(format!("GET /stuck HTTP/1.1\r\nhost: {addr}\r\n\r\n").as_bytes())
                    .await
                    .expect("send");
                stream
            }));
        }
        let mut streams = Vec::new();
        for task in tasks {
            streams.push(task.await.expect("client"));
        }
        // Every handler is running before anyone hangs up.
        let start = Instant::now();
        while handlers.created() < n {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "handlers never started"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(streams);
    });

    wait(
        "every handler future dropped and every connection task gone",
        || handlers.alive() == 0 && metrics.num_alive_tasks() == idle_tasks,
        || {
            format!(
                "{} handlers alive, {} tasks alive (idle: {idle_tasks})",
                handlers.alive(),
                metrics.num_alive_tasks()
            )
        },
    );
    check_spans(&t, n, None);
}
