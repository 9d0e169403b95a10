//! `auth`: checks bearer tokens.

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::support::Service;

pub fn router(service: Service) -> Router {
    Router::new()
        .route("/verify", post(verify))
        .layer(service.layer())
}

async fn verify(headers: HeaderMap) -> StatusCode {
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer demo-token") => StatusCode::NO_CONTENT,
        _ => {
            tracing::warn!("refused: no valid bearer token");
            StatusCode::UNAUTHORIZED
        }
    }
}
