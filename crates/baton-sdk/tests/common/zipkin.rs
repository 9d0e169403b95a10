//! A Zipkin receiver: accepts `POST /api/v2/spans` like a Zipkin server (202) and decodes
//! the JSON body with serde_json.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;

use super::http_capture::{Captured, HttpCapture};

/// The path Zipkin collectors accept spans on.
pub const SPANS_PATH: &str = "/api/v2/spans";

/// A running Zipkin receiver on 127.0.0.1.
pub struct ZipkinReceiver {
    capture: HttpCapture,
}

impl ZipkinReceiver {
    pub fn start() -> Self {
        ZipkinReceiver {
            capture: HttpCapture::start(StatusCode::ACCEPTED, "text/plain"),
        }
    }

    /// The full spans URL, `http://127.0.0.1:<port>/api/v2/spans`.
    pub fn spans_url(&self) -> String {
        format!("{}{SPANS_PATH}", self.capture.url())
    }

    /// The raw requests.
    pub fn requests(&self) -> Vec<Captured> {
        self.capture.requests()
    }

    /// Every span posted to `/api/v2/spans`, as JSON objects.
    pub fn spans(&self) -> Vec<Value> {
        self.capture
            .requests_to(SPANS_PATH)
            .iter()
            .flat_map(|r| {
                let body: Value = serde_json::from_slice(&r.body).expect("a JSON body");
                body.as_array().expect("a JSON array of spans").clone()
            })
            .collect()
    }

    /// Waits until at least `n` spans have arrived.
    pub fn wait_for_spans(&self, n: usize) -> Vec<Value> {
        super::wait_for(
            &format!("{n} Zipkin spans"),
            Duration::from_secs(10),
            || {
                let spans = self.spans();
                (spans.len() >= n).then_some(spans)
            },
        )
    }
}
