//! `db`: a pretend database. Each query is a child span with the database conventions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use opentelemetry::trace::{FutureExt, SpanKind, Status, TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Context, KeyValue};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::support::Service;

#[derive(Clone)]
struct Db {
    service: Service,
    flaky_calls: Arc<AtomicU32>,
}

pub fn router(service: Service) -> Router {
    let layer = service.layer();
    Router::new()
        .route("/query", post(query))
        .route("/flaky", post(flaky))
        .with_state(Db {
            service,
            flaky_calls: Arc::default(),
        })
        // The gRPC service on the same port (HTTP/2), under the same layer.
        .merge(crate::stock::routes())
        .layer(layer)
}

/// Runs one pretend query as a `CLIENT` span named `{operation} {table}`.
async fn run(
    db: &Db,
    operation: &str,
    table: &str,
    sql: &str,
    latency: Duration,
    fail: bool,
) -> Result<Value, String> {
    let tracer = db.service.tracer_provider.tracer("example-db");
    let span = tracer
        .span_builder(format!("{operation} {table}"))
        .with_kind(SpanKind::Client)
        .with_attributes([
            KeyValue::new("db.system.name", "sqlite"),
            KeyValue::new("db.namespace", "shop"),
            KeyValue::new("db.operation.name", operation.to_owned()),
            KeyValue::new("db.collection.name", table.to_owned()),
            KeyValue::new("db.query.text", sql.to_owned()),
        ])
        .start(&tracer);
    let cx = Context::current_with_span(span);
    async {
        tokio::time::sleep(latency).await;
        if fail {
            let cx = Context::current();
            let span = cx.span();
            span.set_attribute(KeyValue::new("error.type", "SQLITE_CORRUPT"));
            span.set_attribute(KeyValue::new("db.response.status_code", "11"));
            span.set_status(Status::error("database disk image is malformed"));
            return Err("database disk image is malformed".to_owned());
        }
        Ok(json!({ "rows": 1 }))
    }
    .with_context(cx)
    .await
}

async fn query(State(db): State<Db>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let table = body["table"].as_str().unwrap_or("users").to_owned();
    let id = body["id"].as_u64().unwrap_or(0);
    let sql = format!("SELECT * FROM {table} WHERE id = ?");
    // User 13's orders live on a corrupt page: the query fails.
    let fail = table == "orders" && id == 13;
    let latency = if table == "orders" {
        Duration::from_millis(12)
    } else {
        Duration::from_millis(5)
    };
    match run(&db, "SELECT", &table, &sql, latency, fail).await {
        Ok(rows) if id == 7 && table == "users" => (
            StatusCode::OK,
            Json(json!({ "rows": 0, "found": false, "raw": rows })),
        ),
        Ok(_) => (StatusCode::OK, Json(json!({ "rows": 1, "found": true }))),
        Err(e) => {
            tracing::error!(table = %table, id, error = %e, "query failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": e })),
            )
        }
    }
}

/// Fails twice with 503, then works: the caller's retries get through.
async fn flaky(State(db): State<Db>) -> StatusCode {
    if db.flaky_calls.fetch_add(1, Ordering::SeqCst) % 3 < 2 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let _ = run(
        &db,
        "SELECT",
        "inventory",
        "SELECT count(*) FROM inventory",
        Duration::from_millis(3),
        false,
    )
    .await;
    StatusCode::OK
}
