//! A Zipkin receiver on 127.0.0.1: records every request (gunzipping bodies sent with
//! `content-encoding: gzip`), answers `202 Accepted` like a Zipkin server, and decodes the
//! JSON spans posted to `/api/v2/spans` with serde_json.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::Value;

use crate::http_request;
use crate::wait::{WAIT, wait_for};

/// The path Zipkin collectors accept spans on.
pub const SPANS_PATH: &str = "/api/v2/spans";

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Captured {
    /// `POST`, ...
    pub method: String,
    /// The path requested.
    pub path: String,
    /// Lower-case header name -> value.
    pub headers: BTreeMap<String, String>,
    /// The body, decompressed if it was gzipped.
    pub body: Vec<u8>,
}

/// A running Zipkin receiver (stops when dropped).
///
/// ```
/// use std::io::{Read, Write};
/// let rx = baton_test_support::zipkin::ZipkinReceiver::start();
/// let addr = rx.spans_url().trim_start_matches("http://").split('/').next().unwrap().to_owned();
/// let body = r#"[{"name":"get /users"}]"#;
/// let mut stream = std::net::TcpStream::connect(&addr).unwrap();
/// write!(stream, "POST /api/v2/spans HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
///                 content-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).unwrap();
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer).unwrap();
/// assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
/// assert_eq!(rx.wait_for_spans(1)[0]["name"], "get /users");
/// ```
pub struct ZipkinReceiver {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    _runtime: tokio::runtime::Runtime,
}

impl ZipkinReceiver {
    /// Listens on an ephemeral port of 127.0.0.1.
    pub fn start() -> Self {
        let runtime = crate::loopback::runtime("zipkin-receiver", 1);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&requests);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let record = Arc::clone(&record);
                async move {
                    let captured = Captured {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        headers: http_request::headers_text(&headers),
                        body: http_request::body(&headers, &body).expect("a readable body"),
                    };
                    record.lock().unwrap().push(captured);
                    (StatusCode::ACCEPTED, [("content-type", "text/plain")])
                }
            },
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move { axum::serve(listener, app).await });
        ZipkinReceiver {
            addr,
            requests,
            _runtime: runtime,
        }
    }

    /// The full spans URL, `http://127.0.0.1:<port>/api/v2/spans`.
    pub fn spans_url(&self) -> String {
        format!("http://{}{SPANS_PATH}", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    /// Every span posted to `/api/v2/spans`, as JSON objects.
    pub fn spans(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter(|r| r.path == SPANS_PATH)
            .flat_map(|r| {
                let body: Value = serde_json::from_slice(&r.body).expect("a JSON body");
                body.as_array().expect("a JSON array of spans").clone()
            })
            .collect()
    }

    /// Waits (10 s at most) until at least `n` spans have arrived, and returns them.
    #[track_caller]
    pub fn wait_for_spans(&self, n: usize) -> Vec<Value> {
        wait_for(&format!("{n} Zipkin spans"), WAIT, || {
            let spans = self.spans();
            (spans.len() >= n).then_some(spans)
        })
    }
}
