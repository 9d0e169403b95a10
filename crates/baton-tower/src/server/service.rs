//! [`ServerService`]: starts the span for each request.

use baton_core::conventions::{
    attributes as attr, client_address, forwarded_scheme, protocol_version, server_address,
    span_name,
};
use http::{Request, Response};
use http_body::Body;
use opentelemetry::trace::{Link, SpanBuilder, SpanKind, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, StringValue, Value};
use std::borrow::Cow;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::SystemTime;
use tower_service::Service;

use super::config::Config;
use super::state::RequestState;
use crate::body::ResponseBody;
use crate::future::ResponseFuture;
use crate::tracked::Tracked;

/// The service a [`ServerLayer`](super::ServerLayer) wraps around yours.
#[derive(Clone)]
pub struct ServerService<S, T> {
    inner: S,
    config: Arc<Config>,
    tracer: T,
}

impl<S, T> ServerService<S, T> {
    pub(crate) fn new(inner: S, config: Arc<Config>, tracer: T) -> Self {
        ServerService {
            inner,
            config,
            tracer,
        }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for ServerService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// `url.scheme` values the conventions expect, as statics.
fn static_scheme(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("https") {
        Some("https")
    } else if scheme.eq_ignore_ascii_case("http") {
        Some("http")
    } else {
        None
    }
}

impl<S, T, B, R> Service<Request<B>> for ServerService<S, T>
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

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let config = &*self.config;
        let caller = config.propagator.extract(&parts.headers);

        if config.filter.as_ref().is_some_and(|f| !f.test(&parts)) {
            parts.extensions.insert(caller.clone());
            let future = {
                let _attached = caller.clone().attach();
                self.inner.call(Request::from_parts(parts, body))
            };
            return ResponseFuture::new(future, caller, None);
        }

        let start = SystemTime::now();
        let method = config.known_methods.classify(&parts.method);
        let route = config.route.route(&parts);
        let (name, route): (Cow<'static, str>, Option<Cow<'static, str>>) =
            match (&config.namer, route) {
                (Some(namer), route) => (
                    namer.name(&parts, route.as_deref()).into(),
                    route.map(|r| Cow::Owned(r.into_owned())),
                ),
                (None, Some(route)) => {
                    let (name, route) = config.names.get(&method, &route);
                    (name, Some(route))
                }
                (None, None) => (span_name(&method, None), None),
            };
        let scheme: Value = match parts
            .uri
            .scheme_str()
            .or_else(|| forwarded_scheme(&parts.headers))
        {
            Some(s) => static_scheme(s).map_or_else(|| Value::from(s.to_owned()), Value::from),
            None => Value::from(config.scheme),
        };
        let method_kv = KeyValue::new(attr::HTTP_REQUEST_METHOD, method.value.clone());
        let scheme_kv = KeyValue::new(attr::URL_SCHEME, scheme);
        let route_kv = route.map(|r| KeyValue::new(attr::HTTP_ROUTE, StringValue::from(r)));

        // Room for every attribute the span gets, so the SDK never grows the list.
        let mut attributes = Vec::with_capacity(16);
        attributes.push(method_kv.clone());
        if let Some(original) = method.original {
            attributes.push(KeyValue::new(
                attr::HTTP_REQUEST_METHOD_ORIGINAL,
                original.to_owned(),
            ));
        }
        attributes.push(scheme_kv.clone());
        attributes.push(KeyValue::new(attr::URL_PATH, parts.uri.path().to_owned()));
        if let Some(query) = parts.uri.query().filter(|q| !q.is_empty()) {
            attributes.push(KeyValue::new(
                attr::URL_QUERY,
                config.redactor.redact_query(query).into_owned(),
            ));
        }
        if let Some(route) = &route_kv {
            attributes.push(route.clone());
        }
        if let Some(server) = server_address(&parts.headers, &parts.uri) {
            attributes.push(KeyValue::new(
                attr::SERVER_ADDRESS,
                config.hosts.get(server.host),
            ));
            if let Some(port) = server.port {
                attributes.push(KeyValue::new(attr::SERVER_PORT, i64::from(port)));
            }
        }

        let mut builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Server)
            .with_start_time(start)
            .with_attributes(attributes);
        let parent = match &config.public {
            Some(public) if public.test(&parts) => {
                let span = caller.span();
                let remote = span.span_context();
                if remote.is_valid() {
                    builder = builder.with_links(vec![Link::with_context(remote.clone())]);
                }
                Context::new()
            }
            _ => caller,
        };
        let span = self.tracer.build_with_context(builder, &parent);
        let recording = opentelemetry::trace::Span::is_recording(&span);
        let cx = parent.with_span(span);
        let protocol = protocol_version(parts.version);
        if recording {
            record_details(&cx, &parts, config, protocol);
        }

        let request_body_size = parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok());
        parts.extensions.insert(cx.clone());
        let state = RequestState::new(
            cx.clone(),
            self.config.clone(),
            start,
            method_kv,
            scheme_kv,
            route_kv,
            protocol,
            request_body_size,
        );
        let future = {
            let _attached = cx.clone().attach();
            self.inner.call(Request::from_parts(parts, body))
        };
        ResponseFuture::new(future, cx, Some(Tracked::Server(state)))
    }
}

/// Attributes only a recording span needs, set after it starts.
fn record_details(
    cx: &Context,
    parts: &http::request::Parts,
    config: &Config,
    protocol: Option<&'static str>,
) {
    let span = cx.span();
    let mut attributes = Vec::with_capacity(6);
    if let Some(version) = protocol {
        attributes.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, version));
    }
    if let Some(agent) = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
    {
        attributes.push(KeyValue::new(attr::USER_AGENT_ORIGINAL, agent.to_owned()));
    }
    let peer = peer_address(parts);
    match client_address(&parts.headers) {
        Some(client) => attributes.push(KeyValue::new(attr::CLIENT_ADDRESS, client.to_owned())),
        None => {
            if let Some(peer) = peer {
                attributes.push(KeyValue::new(attr::CLIENT_ADDRESS, peer.ip().to_string()));
            }
        }
    }
    if let Some(peer) = peer {
        attributes.push(KeyValue::new(
            attr::NETWORK_PEER_ADDRESS,
            peer.ip().to_string(),
        ));
        attributes.push(KeyValue::new(
            attr::NETWORK_PEER_PORT,
            i64::from(peer.port()),
        ));
    }
    attributes.extend(config.request_headers.capture(&parts.headers));
    span.set_attributes(attributes);
}

#[cfg(feature = "axum")]
fn peer_address(parts: &http::request::Parts) -> Option<std::net::SocketAddr> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| parts.extensions.get::<std::net::SocketAddr>().copied())
}

#[cfg(not(feature = "axum"))]
fn peer_address(parts: &http::request::Parts) -> Option<std::net::SocketAddr> {
    parts.extensions.get::<std::net::SocketAddr>().copied()
}
