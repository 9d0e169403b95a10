//! A loopback HTTP server (axum) that records every request (gunzipping bodies sent with
//! `content-encoding: gzip`) and answers with a fixed status. The OTLP/HTTP and Zipkin
//! receivers decode what it records.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Captured {
    pub method: String,
    pub path: String,
    /// Lower-case header name -> value.
    pub headers: BTreeMap<String, String>,
    /// The body, decompressed if it was gzipped.
    pub body: Vec<u8>,
}

/// A running capture server (stops when dropped).
pub struct HttpCapture {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    _runtime: tokio::runtime::Runtime,
}

impl HttpCapture {
    /// Starts a server answering every request with `status` and `content_type`.
    pub fn start(status: StatusCode, content_type: &'static str) -> Self {
        let runtime = super::server_runtime();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&requests);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let record = Arc::clone(&record);
                async move {
                    let headers: BTreeMap<String, String> = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    let body =
                        if headers.get("content-encoding").map(String::as_str) == Some("gzip") {
                            let mut out = Vec::new();
                            flate2::read::GzDecoder::new(&body[..])
                                .read_to_end(&mut out)
                                .expect("gzip body");
                            out
                        } else {
                            body.to_vec()
                        };
                    record.lock().unwrap().push(Captured {
                        method: method.to_string(),
                        path: uri.path().to_owned(),
                        headers,
                        body,
                    });
                    (status, [("content-type", content_type)])
                }
            },
        );
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        runtime.spawn(async move { axum::serve(listener, app).await });
        HttpCapture {
            addr,
            requests,
            _runtime: runtime,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests to `path`.
    pub fn requests_to(&self, path: &str) -> Vec<Captured> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}
