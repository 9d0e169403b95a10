//! The OTLP/HTTP endpoint: protobuf bodies posted to `/v1/traces` and `/v1/metrics`,
//! served by axum, gunzipped when sent compressed and decoded with prost. A body that is
//! not `application/x-protobuf`, not valid gzip or not a valid message is answered
//! `400 Bad Request` and recorded as an error.

use std::io::Read;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use super::MAX_MESSAGE;
use super::span::HTTP_TRANSPORT;
use super::store::Store;

/// Serves both paths on `listener` until the runtime stops.
pub(super) fn serve(
    runtime: &tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
) {
    let app = axum::Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/metrics", post(metrics))
        // Exports of a few thousand spans are larger than axum's 2 MB default.
        .layer(DefaultBodyLimit::max(MAX_MESSAGE))
        .with_state(store);
    runtime.spawn(async move { axum::serve(listener, app).await });
}

async fn traces(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    store.pause().await;
    let Some(request) = decode::<ExportTraceServiceRequest>(&store, &headers, &body, "trace")
    else {
        return answer(StatusCode::BAD_REQUEST);
    };
    store.traces(&request, HTTP_TRANSPORT);
    answer(StatusCode::OK)
}

async fn metrics(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    store.pause().await;
    let Some(request) = decode::<ExportMetricsServiceRequest>(&store, &headers, &body, "metrics")
    else {
        return answer(StatusCode::BAD_REQUEST);
    };
    store.metrics(&request);
    answer(StatusCode::OK)
}

/// An OTLP/HTTP answer: the status, with an empty (all defaults) protobuf response body.
fn answer(status: StatusCode) -> impl IntoResponse {
    (status, [("content-type", "application/x-protobuf")])
}

/// The `what` export request in an OTLP/HTTP body, or `None` (with the reason recorded as
/// an error) when it cannot be decoded.
fn decode<M: Message + Default>(
    store: &Store,
    headers: &HeaderMap,
    body: &Bytes,
    what: &str,
) -> Option<M> {
    let bytes = unzip(store, headers, body)?;
    M::decode(&bytes[..])
        .map_err(|e| store.error(format!("bad {what} export body: {e}")))
        .ok()
}

/// The body of an OTLP/HTTP request, gunzipped if it says it is gzipped.
fn unzip(store: &Store, headers: &HeaderMap, body: &Bytes) -> Option<Vec<u8>> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type != "application/x-protobuf" {
        store.error(format!("unexpected content-type {content_type:?}"));
        return None;
    }
    let gzip = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    if !gzip {
        return Some(body.to_vec());
    }
    let mut out = Vec::new();
    match flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out) {
        Ok(_) => Some(out),
        Err(e) => {
            store.error(format!("bad gzip body: {e}"));
            None
        }
    }
}
