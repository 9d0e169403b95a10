//! A traced reqwest client: one span per attempt, trace headers on every call.
//!
//! ```sh
//! cargo run --example axum_server &
//! cargo run --example reqwest_client -- http://127.0.0.1:3000/hello/world
//! ```

use baton::conventions::UrlTemplate;
use baton::reqwest::TracingMiddleware;
use reqwest_middleware::ClientBuilder;
use reqwest_retry::RetryTransientMiddleware;
use reqwest_retry::policies::ExponentialBackoff;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _telemetry = baton::init()?;
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:3000/hello/world".to_owned());

    let client = ClientBuilder::new(reqwest::Client::new())
        .with(RetryTransientMiddleware::new_with_policy(
            ExponentialBackoff::builder().build_with_max_retries(2),
        ))
        .with(TracingMiddleware::new())
        .build();

    let response = client
        .get(&url)
        .with_extension(UrlTemplate::new("/hello/{name}"))
        .send()
        .await?;
    println!(
        "{} {}",
        response.status(),
        response.text().await?.trim_end()
    );
    Ok(())
}
