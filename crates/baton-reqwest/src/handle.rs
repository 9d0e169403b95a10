//! The [`Middleware`] implementation: one client span per attempt, and the trace headers
//! injected for it.

use baton_core::conventions::ClientUrl;
use baton_core::exchange::{ClientRequest, Outcome};
use http::Extensions;
use opentelemetry::context::FutureExt;
use opentelemetry::trace::Tracer;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next, Result};

use crate::attempts::Attempts;
use crate::errors;
use crate::middleware::TracingMiddleware;

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
        let resend_count = Attempts::next(extensions);
        let url = request.url();
        let (mut exchange, propagation) = self.tracing.start(ClientRequest {
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
        let cx = exchange.context().clone();
        self.tracing.inject(propagation, &cx, request.headers_mut());

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
