//! `users`: reads the caller's baggage, asks `db`, and shows a `tracing` span inside a
//! handler becoming part of the trace.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::TraceContextExt;
use opentelemetry::{Context, KeyValue};
use serde_json::{Value, json};
use std::time::Duration;

use crate::support::Service;

pub fn router(service: Service) -> Router {
    let layer = service.layer();
    Router::new()
        .route("/users/{id}", get(user))
        .route("/inventory", get(inventory))
        .route("/report", get(report))
        .route("/stock", get(stock))
        .with_state(service)
        .layer(layer)
}

async fn db_query(service: &Service, table: &str, id: u64) -> Result<Value, StatusCode> {
    let response = service
        .client
        .post(format!("{}/query", service.peers.db))
        .with_extension(baton::conventions::UrlTemplate::new("/query"))
        .json(&json!({ "table": table, "id": id }))
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    if !response.status().is_success() {
        return Err(StatusCode::INTERNAL_SERVER_ERROR);
    }
    response.json().await.map_err(|_| StatusCode::BAD_GATEWAY)
}

async fn user(
    State(service): State<Service>,
    Path(id): Path<u64>,
) -> Result<Json<Value>, StatusCode> {
    // The gateway put the tenant in the baggage; note it on this service's span.
    let tenant = Context::map_current(|cx| cx.baggage().get("tenant.id").map(|v| v.to_string()));
    if let Some(tenant) = &tenant {
        Context::map_current(|cx| {
            cx.span()
                .set_attribute(KeyValue::new("tenant.id", tenant.clone()))
        });
    }
    let profile = {
        // A `tracing` span: with tracing-opentelemetry installed it joins the trace.
        let span = tracing::info_span!("load_profile", user.id = id);
        let _entered = span.enter();
        tracing::info!(user.id = id, "loading profile");
        drop(_entered);
        db_query(&service, "users", id).await?
    };
    if profile["found"] == json!(false) {
        return Err(StatusCode::NOT_FOUND);
    }
    let orders = db_query(&service, "orders", id).await?;
    Ok(Json(
        json!({ "id": id, "tenant": tenant, "orders": orders["rows"] }),
    ))
}

async fn inventory(State(service): State<Service>) -> StatusCode {
    // db fails twice; reqwest-retry tries again, and every attempt is its own span.
    match service
        .client
        .post(format!("{}/flaky", service.peers.db))
        .with_extension(baton::conventions::UrlTemplate::new("/flaky"))
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => StatusCode::OK,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// Asks db over gRPC (the example's one gRPC hop).
async fn stock(State(service): State<Service>) -> Result<Json<Value>, StatusCode> {
    let count = service
        .stock
        .check("apple")
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    Ok(Json(json!({ "sku": "apple", "count": count })))
}

async fn report() -> &'static str {
    // The slow endpoint.
    tokio::time::sleep(Duration::from_millis(120)).await;
    "report ready"
}
