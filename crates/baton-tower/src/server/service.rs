//! [`ServerService`]: starts the span for each request.

use baton_core::conventions::{
    ProxyHeaders, attributes as attr, http_scheme, protocol_version, span_name,
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
        let proxy = ProxyHeaders::read(&parts.headers);
        // Only `http` / `https`, whoever says so: the value is a metric attribute.
        let scheme = Value::from(
            parts
                .uri
                .scheme_str()
                .and_then(http_scheme)
                .or_else(|| proxy.scheme())
                .unwrap_or(config.scheme),
        );
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
        if let Some(server) = proxy.server_address(&parts.headers, &parts.uri) {
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
        // The tracer (and so the user's sampler) decides every request.
        let span = self.tracer.build_with_context(builder, &parent);
        let recording = opentelemetry::trace::Span::is_recording(&span);
        let cx = if !recording && keeps_caller(config, &parent) {
            // Dropped by the sampler under a valid remote parent: handler code continues the
            // caller's context (same trace id, same unsampled flag, parent-id passed on
            // unchanged, as W3C Trace Context allows), which saves boxing a span that
            // records nothing. `end` on a non-recording span does nothing, so dropping it
            // here loses nothing.
            drop(span);
            parent
        } else {
            parent.with_span(span)
        };
        let protocol = protocol_version(parts.version);
        if recording {
            record_details(&cx, &parts, &proxy, config, protocol);
        }

        // Only `http.server.request.body.size` (opt-in) reads it.
        let request_body_size = if config.metrics.body_sizes() {
            parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse().ok())
        } else {
            None
        };
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

/// Whether an unsampled request can run in the caller's context rather than in one holding
/// the dropped server span: the caller sent a valid remote span context, and no response
/// header has to name the server span.
fn keeps_caller(config: &Config, parent: &Context) -> bool {
    !config.server_timing && !config.traceresponse && parent.has_active_span() && {
        let span = parent.span();
        let sc = span.span_context();
        sc.is_remote() && sc.is_valid()
    }
}

/// Attributes only a recording span needs, set after it starts in one call.
fn record_details(
    cx: &Context,
    parts: &http::request::Parts,
    proxy: &ProxyHeaders<'_>,
    config: &Config,
    protocol: Option<&'static str>,
) {
    let agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(|agent| KeyValue::new(attr::USER_AGENT_ORIGINAL, agent.to_owned()));
    let peer = peer_address(parts);
    // The peer IP is formatted once, and shared when it is also `client.address`.
    let peer_ip = peer.map(|p| StringValue::from(ip_string(p.ip())));
    let client = match proxy.client_address() {
        Some(client) => Some(StringValue::from(client.to_owned())),
        None => peer_ip.clone(),
    };
    let details = [
        protocol.map(|v| KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, v)),
        agent,
        client.map(|c| KeyValue::new(attr::CLIENT_ADDRESS, c)),
        peer_ip.map(|ip| KeyValue::new(attr::NETWORK_PEER_ADDRESS, ip)),
        peer.map(|p| KeyValue::new(attr::NETWORK_PEER_PORT, i64::from(p.port()))),
    ];
    cx.span().set_attributes(
        details.into_iter().flatten().chain(
            config
                .request_headers
                .capture(&parts.headers, &config.redactor),
        ),
    );
}

/// An IP address as text in one allocation, shareable between two attributes.
fn ip_string(ip: std::net::IpAddr) -> Arc<str> {
    use std::io::Write;
    // The longest form is 45 bytes (`ffff:…:255.255.255.255`).
    let mut buf = [0u8; 64];
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    match write!(cursor, "{ip}") {
        Ok(()) => {
            let len = usize::try_from(cursor.position()).unwrap_or(0);
            std::str::from_utf8(&buf[..len]).map_or_else(|_| ip.to_string().into(), Arc::from)
        }
        Err(_) => ip.to_string().into(),
    }
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
