//! [`ClientService`]: one client span per attempt, and the trace headers injected for it.

use baton_core::conventions::{attributes as attr, client_start_attributes, span_name, ClientUrl, UrlTemplate};
use baton_core::propagation::HeaderInjector;
use http::{Request, Response};
use http_body::Body;
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::{SpanBuilder, SpanKind, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, Value};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::SystemTime;
use tower_service::Service;

use super::attempts::Attempts;
use super::config::ClientConfig;
use super::state::ClientState;
use crate::body::ResponseBody;
use crate::future::ResponseFuture;
use crate::tracked::Tracked;

/// The service a [`ClientLayer`](super::ClientLayer) wraps around a client.
#[derive(Clone)]
pub struct ClientService<S, T> {
    inner: S,
    config: Arc<ClientConfig>,
    tracer: T,
}

impl<S, T> ClientService<S, T> {
    pub(crate) fn new(inner: S, config: Arc<ClientConfig>, tracer: T) -> Self {
        ClientService { inner, config, tracer }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for ClientService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientService").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<S, T, B, R> Service<Request<B>> for ClientService<S, T>
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: 'static,
    R: Body,
    T: Tracer,
    T::Span: Send + Sync + 'static,
{
    type Response = Response<ResponseBody<R>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let config = &*self.config;
        let start = SystemTime::now();
        let parent = request.extensions().get::<Context>().cloned().unwrap_or_else(Context::current);
        let method = config.known_methods.classify(request.method());
        let template = request.extensions().get::<UrlTemplate>().cloned();
        let uri = request.uri();
        let full = uri.to_string();
        let host = uri.host().map(str::to_owned).or_else(|| request.headers().get(http::header::HOST).and_then(|h| h.to_str().ok()).map(|h| h.split(':').next().unwrap_or(h).to_owned()));
        let url = ClientUrl { full: &full, scheme: uri.scheme_str(), host: host.as_deref(), port: uri.port_u16() };
        let mut attributes = client_start_attributes(&method, url, template.as_ref(), &config.redactor);
        let scheme = match uri.scheme_str() {
            Some("https") => Value::from("https"),
            Some("http") | None => Value::from("http"),
            Some(other) => Value::from(other.to_owned()),
        };
        let mut base: Vec<KeyValue> = attributes
            .iter()
            .filter(|kv| kv.key == attr::HTTP_REQUEST_METHOD || kv.key == attr::SERVER_ADDRESS || kv.key == attr::SERVER_PORT)
            .cloned()
            .collect();
        base.push(KeyValue::new(attr::URL_SCHEME, scheme));
        if let Some(attempts) = request.extensions().get::<Attempts>() {
            let before = attempts.next();
            if before > 0 {
                attributes.push(KeyValue::new(attr::HTTP_REQUEST_RESEND_COUNT, i64::from(before)));
            }
        }
        let name = span_name(&method, template.as_ref().map(|t| t.0.as_ref()));
        let builder = SpanBuilder::from_name(name).with_kind(SpanKind::Client).with_start_time(start).with_attributes(attributes);
        let span = self.tracer.build_with_context(builder, &parent);
        let cx = parent.with_span(span);

        let host = host.as_deref().unwrap_or("");
        let trace_ok = config.trace_to.as_ref().is_none_or(|p| p.allows(host));
        let baggage_ok = config.baggage_to.as_ref().is_none_or(|p| p.allows(host));
        let outgoing = match (trace_ok, baggage_ok) {
            (true, true) => Some(cx.clone()),
            (true, false) => Some(cx.with_cleared_baggage()),
            (false, true) => Some(Context::new().with_baggage(cx.baggage().iter().map(|(k, (v, m))| (k.clone(), (v.clone(), m.clone()))).collect::<opentelemetry::baggage::Baggage>())),
            (false, false) => None,
        };
        if let Some(outgoing) = outgoing {
            let mut injector = HeaderInjector(request.headers_mut());
            match &config.propagator {
                Some(p) => p.inject_context(&outgoing, &mut injector),
                None => opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&outgoing, &mut injector)),
            }
        }

        let template_kv = template.map(|t| KeyValue::new(attr::URL_TEMPLATE, t.0));
        let state = ClientState::new(cx.clone(), self.config.clone(), start, base, template_kv);
        let future = {
            let _attached = cx.clone().attach();
            self.inner.call(request)
        };
        ResponseFuture::new(future, cx, Some(Tracked::Client(state)))
    }
}
