//! What the reliability tests share beyond baton-test-support (the OTLP receiver that can
//! be slow, come back on a given port, count without keeping or keep every decoded byte;
//! collectors that refuse or hang; runtimes and axum servers on 127.0.0.1): hyper's server
//! with limits the test chooses, a pooled client, SDK set-up from a map of `OTEL_*`
//! variables, percentiles and RSS.
//!
//! Every test runs its servers on runtimes it owns, so it can block (`Guard::shutdown`)
//! while they keep serving.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// Serves `router` over HTTP/1.1 with hyper's connection builder, allowing `max_headers`
/// header lines and a read buffer of `max_buf` bytes (the request head must fit in it).
pub fn serve_hyper(
    rt: &tokio::runtime::Runtime,
    router: axum::Router,
    max_headers: usize,
    max_buf: usize,
) -> SocketAddr {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind a server");
    let addr = listener.local_addr().expect("server address");
    rt.spawn(async move {
        loop {
            let Ok((stream, _peer)) = listener.accept().await else {
                continue;
            };
            let service = hyper_util::service::TowerToHyperService::new(router.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .max_headers(max_headers)
                    .max_buf_size(max_buf)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A keep-alive HTTP/1.1 client.
pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// `GET http://{addr}{path}`: the status and the body.
pub async fn get(client: &HttpClient, addr: SocketAddr, path: &str) -> (u16, Bytes) {
    use http_body_util::BodyExt;
    let request = http::Request::get(format!("http://{addr}{path}"))
        .body(Full::default())
        .expect("request");
    let response = client.request(request).await.expect("response");
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, body)
}

/// The SDK, configured only by `vars` (plus `service.name`), kept out of the globals.
pub fn telemetry(service: &str, vars: &[(&str, String)], deadline: Duration) -> baton::Guard {
    baton::Builder::from_env_map(vars.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .service_name(service)
        .shutdown_deadline(deadline)
        .install_global(false)
        .build()
        .expect("telemetry")
}

/// The `p`-th percentile (0..=100, nearest rank) of `samples`.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// This process's resident set size in bytes (`VmRSS` of /proc/self/status).
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status");
    kb * 1024
}

/// An environment variable read as a number, or `default` (the soak scripts scale the
/// tests up through these).
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `head` (a whole HTTP/1.1 request head, as it is) to a new connection to `addr`
/// and returns the status line of the response, read to the end.
pub async fn raw_status_line(addr: SocketAddr, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}
