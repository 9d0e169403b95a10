//! The [`Middleware`] implementation: one client span per attempt, and the trace headers
//! injected for it.

use baton_core::conventions::ClientUrl;
use baton_core::exchange::{ClientExchange, ClientRequest, ClientTracing, Outcome};
use http::Extensions;
use opentelemetry::context::FutureExt;
use opentelemetry::trace::Tracer;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next, Result};

use crate::attempts::Attempts;
use crate::errors;
use crate::middleware::TracingMiddleware;

/// Starts the span of one attempt and writes its headers into `request`, as far as the
/// allow-lists let them go to its host (removing those already there that may not).
pub(crate) fn start_attempt<T>(
    tracing: &ClientTracing<T>,
    request: &mut Request,
    extensions: &mut Extensions,
) -> ClientExchange
where
    T: Tracer,
    T::Span: Send + Sync + 'static,
{
    let resend_count = Attempts::next(extensions);
    let url = request.url();
    let (exchange, propagation) = tracing.start(ClientRequest {
        method: request.method(),
        url: ClientUrl {
            full: url.as_str(),
            scheme: Some(url.scheme()),
            host: url.host_str(),
            port: url.port(),
        },
        extensions,
        resend_count,
    });
    tracing.inject(propagation, exchange.context(), request.headers_mut());
    exchange
}

#[async_trait::async_trait]
impl<T> Middleware for TracingMiddleware<T>
where
    T: Tracer + Send + Sync + 'static,
    T::Span: Send + Sync + 'static,
{
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> Result<Response> {
        let mut exchange = start_attempt(&self.tracing, &mut request, extensions);
        let cx = exchange.context().clone();

        // Dropping this future (the caller gave up) drops `exchange`, which ends the span
        // and the active request as cancelled.
        let result = next.run(request, extensions).with_context(cx).await;
        match &result {
            Ok(response) => {
                exchange.on_response(response.status().as_u16(), response.version());
                exchange.finish(Outcome::Completed);
            }
            Err(error) => {
                exchange.on_error(errors::error_type(error), errors::message(error));
                exchange.finish(Outcome::ServiceError);
            }
        }
        result
    }
}
