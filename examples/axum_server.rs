//! A traced axum server.
//!
//! ```sh
//! cargo run --example axum_server
//! curl http://127.0.0.1:3000/hello/world      # the trace is drawn in the first terminal
//! ```

use axum::Router;
use axum::extract::Path;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Reads OTEL_* (service name, sampler, exporter...). With no exporter configured, each
    // trace is drawn in this terminal; set OTEL_EXPORTER_OTLP_ENDPOINT to send it to Jaeger.
    let _telemetry = baton::init()?;

    let app = Router::new()
        .route(
            "/hello/{name}",
            get(|Path(name): Path<String>| async move { format!("hello {name}\n") }),
        )
        .layer(baton::ServerLayer::new());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async { tokio::signal::ctrl_c().await.unwrap_or_default() })
        .await?;
    Ok(())
}
