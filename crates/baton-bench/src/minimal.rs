//! [`MinimalLayer`]: the server layer a user might write by hand on the OpenTelemetry API
//! in an afternoon, as a reference point between a bare router and a full layer.
//!
//! It extracts the caller's context with the global propagator, starts a `SERVER` span
//! named `{method} {route}` with four attributes, attaches the context while the handler
//! runs, records the status code and ends the span when the response head is ready (not
//! when the body has been sent, and no metrics: it does less than baton or the other
//! crates).

use axum::extract::MatchedPath;
use baton_core::propagation::HeaderExtractor;
use opentelemetry::context::FutureExt as _;
use opentelemetry::global;
use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::SdkTracer;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use tower::{Layer, Service};

/// A minimal hand-written tracing layer on the SDK tracer.
#[derive(Clone, Debug)]
pub struct MinimalLayer {
    tracer: SdkTracer,
}

impl MinimalLayer {
    /// A layer creating spans with `tracer`.
    pub fn new(tracer: SdkTracer) -> Self {
        MinimalLayer { tracer }
    }
}

impl<S> Layer<S> for MinimalLayer {
    type Service = MinimalService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MinimalService {
            inner,
            tracer: self.tracer.clone(),
        }
    }
}

/// The service [`MinimalLayer`] wraps around yours.
#[derive(Clone, Debug)]
pub struct MinimalService<S> {
    inner: S,
    tracer: SdkTracer,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, R> Service<http::Request<B>> for MinimalService<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    R: 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let parent =
            global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(request.headers())));
        let method = request.method().as_str().to_owned();
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned());
        let name = match &route {
            Some(route) => format!("{method} {route}"),
            None => method.clone(),
        };
        let mut attributes = vec![
            KeyValue::new("http.request.method", method),
            KeyValue::new("url.scheme", "http"),
            KeyValue::new("url.path", request.uri().path().to_owned()),
        ];
        if let Some(route) = route {
            attributes.push(KeyValue::new("http.route", route));
        }
        let span = self
            .tracer
            .span_builder(name)
            .with_kind(SpanKind::Server)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        let cx = parent.with_span(span);
        let future = {
            let _attached = cx.clone().attach();
            self.inner.call(request)
        };
        Box::pin(async move {
            let result = future.with_context(cx.clone()).await;
            end(&cx, result.as_ref().ok().map(|r| r.status().as_u16()));
            result
        })
    }
}

fn end(cx: &Context, status: Option<u16>) {
    let span = cx.span();
    if let Some(code) = status {
        span.set_attribute(KeyValue::new("http.response.status_code", i64::from(code)));
    }
    span.end();
}
