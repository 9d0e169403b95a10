//! `gateway`: the public entry point. It trusts no caller's trace context (new root, with a
//! link to the caller), sets the baggage every service below sees, and hands work to a
//! background task with the trace context.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use baton::axum::RequestTrace;
use baton::conventions::UrlTemplate;
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::{FutureExt, TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Context, KeyValue};
use serde_json::Value;
use std::time::Duration;

use crate::support::Service;

pub fn router(service: Service) -> Router {
    // Every request from the outside world starts a new trace.
    let layer = service
        .layer()
        .public_endpoint(|_: &http::request::Parts| true)
        .server_timing();
    Router::new()
        .route("/profile/{id}", get(profile))
        .route("/inventory", get(inventory))
        .route("/report", get(report))
        .route("/stock", get(stock))
        .with_state(service)
        .layer(layer)
}

async fn profile(
    State(service): State<Service>,
    trace: RequestTrace,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Result<Json<Value>, StatusCode> {
    tracing::info!(user.id = id, "profile requested");
    let cx = Context::current().with_baggage([
        KeyValue::new("tenant.id", "acme"),
        KeyValue::new("user.id", id.to_string()),
    ]);
    async move {
        let token = headers.get("authorization").cloned();
        let mut verify = service
            .client
            .post(format!("{}/verify", service.peers.auth))
            .with_extension(UrlTemplate::new("/verify"));
        if let Some(token) = token {
            verify = verify.header("authorization", token);
        }
        let verified = verify.send().await.map_err(|_| StatusCode::BAD_GATEWAY)?;
        if verified.status() != StatusCode::NO_CONTENT {
            return Err(StatusCode::UNAUTHORIZED);
        }
        let user = service
            .client
            .get(format!("{}/users/{id}", service.peers.users))
            .with_extension(UrlTemplate::new("/users/{id}"))
            .send()
            .await
            .map_err(|_| StatusCode::BAD_GATEWAY)?;
        let status = user.status();
        if !status.is_success() {
            return Err(StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY));
        }
        let body: Value = user.json().await.map_err(|_| StatusCode::BAD_GATEWAY)?;

        // Background work that outlives nothing but still belongs to the trace.
        let background = trace.context().clone();
        let provider = service.tracer_provider.clone();
        tokio::spawn(async move {
            let tracer = provider.tracer("example-gateway");
            let span = tracer.start_with_context("audit.record", &background);
            let cx = background.with_span(span);
            async { tokio::time::sleep(Duration::from_millis(2)).await }
                .with_context(cx)
                .await;
        });
        Ok(Json(body))
    }
    .with_context(cx)
    .await
}

async fn inventory(State(service): State<Service>) -> StatusCode {
    relay(&service, "/inventory").await
}

async fn stock(State(service): State<Service>) -> StatusCode {
    relay(&service, "/stock").await
}

async fn report(State(service): State<Service>) -> StatusCode {
    relay(&service, "/report").await
}

/// `GET {users}{path}`, answered with users' status.
async fn relay(service: &Service, path: &'static str) -> StatusCode {
    match service
        .client
        .get(format!("{}{path}", service.peers.users))
        .with_extension(UrlTemplate::new(path))
        .send()
        .await
    {
        Ok(r) => StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}
