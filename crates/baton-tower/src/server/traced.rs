//! [`TracedRequest`]: a server request in flight, as its response future and body drive
//! it: the [`ServerExchange`] and the layer's configuration, for what the response head
//! gets (captured headers, the trace returned to the caller).

use baton_core::exchange::{Outcome, ServerExchange};
use baton_core::propagation::format_traceparent_in;
use http::header::HeaderName;
use http::{HeaderMap, HeaderValue, Response};
use std::sync::Arc;

use super::config::Config;
use crate::in_flight::InFlight;

/// A request a [`ServerLayer`](super::ServerLayer) is tracing; the `X` of its
/// [`ServerFuture`](super::ServerFuture) and [`ServerBody`](super::ServerBody).
pub struct TracedRequest {
    exchange: ServerExchange,
    config: Arc<Config>,
}

impl std::fmt::Debug for TracedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracedRequest")
            .field("exchange", &self.exchange)
            .finish_non_exhaustive()
    }
}

impl TracedRequest {
    pub(crate) fn new(exchange: ServerExchange, config: Arc<Config>) -> Self {
        TracedRequest { exchange, config }
    }

    /// The context of the request's exchange.
    pub(crate) fn context(&self) -> &opentelemetry::Context {
        self.exchange.context()
    }
}

impl crate::in_flight::sealed::Sealed for TracedRequest {}

impl InFlight for TracedRequest {
    fn on_response<B>(&mut self, response: &mut Response<B>) {
        let config = &*self.config;
        self.exchange.on_response(
            response.status().as_u16(),
            response.headers(),
            &config.recording,
        );
        if config.echoes_trace() {
            echo_trace(config, &self.exchange, response.headers_mut());
        }
    }

    fn on_error<E: 'static>(&mut self, error: &E) {
        let (kind, message) = crate::errors::classify(error);
        self.exchange.on_error(kind, message);
    }

    fn on_trailers(&mut self, trailers: &HeaderMap) {
        self.exchange.on_trailers(trailers);
    }

    fn add_body_bytes(&mut self, n: u64) {
        self.exchange.add_body_bytes(n);
    }

    fn finish(&mut self, outcome: Outcome) {
        self.exchange.finish(outcome);
    }
}

/// Returns the trace to the caller: `server-timing: trace;desc=<traceparent>` and/or
/// `traceresponse: <traceparent>`, naming the server span. Baggage is never echoed.
fn echo_trace(config: &Config, exchange: &ServerExchange, headers: &mut HeaderMap) {
    // From the context, so the caller's `random-trace-id` flag is returned too.
    let Some(traceparent) = format_traceparent_in(exchange.context()) else {
        return;
    };
    if config.server_timing
        && let Ok(value) = HeaderValue::try_from(format!("trace;desc={traceparent}"))
    {
        headers.append(HeaderName::from_static("server-timing"), value);
    }
    if config.traceresponse
        && let Ok(value) = HeaderValue::try_from(traceparent)
    {
        headers.insert(HeaderName::from_static("traceresponse"), value);
    }
}
