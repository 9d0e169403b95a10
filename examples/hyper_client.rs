//! A traced hyper-util client through the tower client layer.
//!
//! ```sh
//! cargo run --example axum_server &
//! cargo run --example hyper_client -- http://127.0.0.1:3000/hello/world
//! ```

use baton::ClientLayer;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower::{Service, ServiceBuilder, ServiceExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _telemetry = baton::init()?;
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:3000/hello/world".to_owned());

    let hyper = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut client = ServiceBuilder::new()
        .layer(ClientLayer::new())
        .service(hyper);

    let request = http::Request::get(url).body(Full::default())?;
    let response = client.ready().await?.call(request).await?;
    let status = response.status();
    // The span ends when the body has been read.
    let body = response.into_body().collect().await?.to_bytes();
    println!("{status} {}", String::from_utf8_lossy(&body).trim_end());
    Ok(())
}
