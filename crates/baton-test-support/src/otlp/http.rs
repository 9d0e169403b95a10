//! The OTLP/HTTP endpoint: protobuf bodies posted to any path, served by axum, gunzipped
//! when sent compressed and decoded with prost. The path's last segment says what the body
//! carries: `metrics` metrics; `logs` logs; `traces` or `spans` traces (so both the default
//! `/v1/traces` and per-signal endpoints such as `/custom/spans` work). Anything else,
//! a method other than `POST`, a body that is not `application/x-protobuf`, not valid gzip
//! or not a valid message, is answered with an error status and recorded as an error.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use super::MAX_MESSAGE;
use super::export::{Origin, Signal};
use super::span::HTTP_TRANSPORT;
use super::store::Store;
use crate::http_request;

/// Serves every path on `listener` until the runtime stops.
pub(super) fn serve(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
) {
    let app = axum::Router::new()
        .fallback(export)
        // Exports of a few thousand spans are larger than axum's 2 MB default.
        .layer(DefaultBodyLimit::max(MAX_MESSAGE))
        .with_state(store);
    runtime.spawn(async move { axum::serve(listener, app).await });
}

/// What a path carries, from its last segment.
fn signal(path: &str) -> Option<Signal> {
    match path.rsplit('/').next() {
        Some("metrics") => Some(Signal::Metrics),
        Some("logs") => Some(Signal::Logs),
        Some("traces" | "spans") => Some(Signal::Traces),
        _ => None,
    }
}

async fn export(
    State(store): State<Arc<Store>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    store.pause().await;
    let path = uri.path().to_owned();
    let refuse = |status: StatusCode, message: String| {
        store.error(message);
        answer(status)
    };
    if method != Method::POST {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, format!("{method} {path}"));
    }
    let Some(signal) = signal(&path) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("export to unknown path {path}"),
        );
    };
    let bytes = match protobuf_body(&headers, &body) {
        Ok(bytes) => bytes,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e),
    };
    let origin = Origin {
        transport: HTTP_TRANSPORT,
        path,
        headers: http_request::headers_text(&headers),
    };
    let decoded = match signal {
        Signal::Traces => ExportTraceServiceRequest::decode(&bytes[..])
            .map(|request| store.traces(&request, origin)),
        Signal::Metrics => ExportMetricsServiceRequest::decode(&bytes[..])
            .map(|request| store.metrics(&request, origin)),
        Signal::Logs => {
            ExportLogsServiceRequest::decode(&bytes[..]).map(|request| store.logs(&request, origin))
        }
    };
    match decoded {
        Ok(()) => answer(StatusCode::OK),
        Err(e) => refuse(
            StatusCode::BAD_REQUEST,
            format!("bad {signal:?} export body: {e}"),
        ),
    }
}

/// An OTLP/HTTP answer: the status, with an empty (all defaults) protobuf response body.
fn answer(status: StatusCode) -> (StatusCode, [(&'static str, &'static str); 1]) {
    (status, [("content-type", "application/x-protobuf")])
}

/// The protobuf bytes of an OTLP/HTTP body, gunzipped if it says it is gzipped.
fn protobuf_body(headers: &HeaderMap, body: &Bytes) -> Result<Vec<u8>, String> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type != "application/x-protobuf" {
        return Err(format!("unexpected content-type {content_type:?}"));
    }
    http_request::body(headers, body)
}
