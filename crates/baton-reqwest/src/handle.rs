//! The [`Middleware`] implementation: one client span per attempt, and the trace headers
//! injected for it.

use baton_core::conventions::{ClientUrl, UrlTemplate};
use baton_core::instrument::{ClientExchange, ClientRequest, Outcome};
use http::Extensions;
use opentelemetry::Context;
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
        let config = &*self.config;
        let parent = extensions
            .get::<Context>()
            .cloned()
            .unwrap_or_else(Context::current);
        let resend_count = Attempts::next(extensions);
        let url = request.url();
        // Decided now, while the URL is borrowed, so the host need not be copied.
        let allowed = config.policy.allows(url.host_str().unwrap_or(""));
        let mut exchange = ClientExchange::start(
            &self.tracer,
            &parent,
            ClientRequest {
                method: request.method(),
                url: ClientUrl {
                    full: url.as_str(),
                    scheme: Some(url.scheme()),
                    host: url.host_str(),
                    port: url.port(),
                },
                template: extensions.get::<UrlTemplate>(),
                resend_count,
            },
            &config.known_methods,
            &config.redactor,
            config.metrics.get(),
        );
        let cx = exchange.context().clone();
        // A field that cannot be a header value is skipped, never sent broken.
        config
            .propagator
            .inject_allowed(allowed, &cx, request.headers_mut());

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
