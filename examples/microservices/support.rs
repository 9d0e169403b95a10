//! What every service of the example shares: its telemetry, its traced HTTP client, and
//! where its peers listen.

use baton::ServerLayer;
use baton::propagation::CompositePropagator;
use baton::reqwest::TracingMiddleware;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use reqwest_retry::policies::ExponentialBackoff;
use reqwest_retry::{RetryTransientMiddleware, Retryable, RetryableStrategy};
use std::time::Duration;

/// Retries what is worth retrying: a 503 (the dependency is briefly unavailable) and a
/// connection that could not be made. A 500 is an answer, not a hiccup.
struct RetryUnavailable;

impl RetryableStrategy for RetryUnavailable {
    fn handle(&self, result: &reqwest_middleware::Result<reqwest::Response>) -> Option<Retryable> {
        match result {
            Ok(r) if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                Some(Retryable::Transient)
            }
            Ok(_) => None,
            Err(e) if e.is_connect() => Some(Retryable::Transient),
            Err(_) => Some(Retryable::Fatal),
        }
    }
}

/// The propagators `OTEL_PROPAGATORS` names (W3C trace context and baggage by default).
/// Each service is given them explicitly: in one process, no service owns the globals.
fn propagator() -> CompositePropagator {
    CompositePropagator::from_env().unwrap_or_default()
}

/// Base URLs of the services, so each can call the others in this process or across
/// processes alike.
#[derive(Clone, Debug)]
pub struct Peers {
    pub auth: String,
    pub users: String,
    pub db: String,
}

/// One service's telemetry and client.
#[derive(Clone)]
pub struct Service {
    pub tracer_provider: SdkTracerProvider,
    pub meter_provider: SdkMeterProvider,
    pub client: ClientWithMiddleware,
    /// The gRPC client for db's `shop.Stock` (traced by the RPC conventions).
    pub stock: crate::stock::StockClient,
    pub peers: Peers,
}

impl Service {
    /// The service's client and telemetry; fails when `peers.db` is not an
    /// `http://host:port` URL.
    pub fn new(
        tracer_provider: SdkTracerProvider,
        meter_provider: SdkMeterProvider,
        peers: Peers,
    ) -> Result<Self, String> {
        // Retries first, then tracing: one client span per attempt.
        let policy = ExponentialBackoff::builder()
            .retry_bounds(Duration::from_millis(10), Duration::from_millis(50))
            .build_with_max_retries(3);
        let retry =
            RetryTransientMiddleware::new_with_policy_and_strategy(policy, RetryUnavailable);
        let tracing = TracingMiddleware::new()
            .propagator(propagator())
            .tracer_provider(&tracer_provider)
            .meter_provider(&meter_provider);
        let client = ClientBuilder::new(reqwest::Client::new())
            .with(retry)
            .with(tracing)
            .build();
        let grpc_tracing = baton::client::ClientTracing::new()
            .propagator(propagator())
            .tracer_provider(&tracer_provider)
            .meter_provider(&meter_provider);
        let stock = crate::stock::StockClient::new(&peers.db, grpc_tracing)?;
        Ok(Service {
            tracer_provider,
            meter_provider,
            client,
            stock,
            peers,
        })
    }

    /// The server layer for this service.
    pub fn layer(&self) -> ServerLayer<SdkTracer> {
        ServerLayer::new()
            .propagator(propagator())
            .tracer_provider(&self.tracer_provider)
            .meter_provider(&self.meter_provider)
    }
}
