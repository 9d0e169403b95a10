//! What a server exchange starts from: the description of the request
//! ([`ServerRequest`]), the layer's [`ServerSettings`], and the attributes its span starts
//! with, read off them.

use http::{Extensions, HeaderMap, Uri, Version};
use opentelemetry::trace::{SpanContext, TraceContextExt};
use opentelemetry::{Context, KeyValue, StringValue};
use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use super::intern::Interner;
use super::metrics::{MetricsSource, Side};
use crate::conventions::limits::{self, capped};
use crate::conventions::{
    HeaderCapture, HttpMethod, ProxyHeaders, UrlRedactor, attributes as attr,
};

/// What a server layer read off a request before its span starts: the parts only the
/// framework knows (the route, the peer, the span name it chose) and the request head the
/// conventions read the rest from (`url.*`, `server.*`, `client.address`, user agent,
/// captured headers).
#[derive(Debug)]
pub struct ServerRequest<'a> {
    /// The method, classified by the layer's known methods.
    pub method: HttpMethod<'a>,
    /// The span name (`{method} {route}` by the conventions, or the layer's own).
    pub name: Cow<'static, str>,
    /// The matched route template: `http.route`, and an attribute of the duration metric.
    pub route: Option<Cow<'static, str>>,
    /// The request target.
    pub uri: &'a Uri,
    /// The HTTP version: `network.protocol.version`.
    pub version: Version,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The request's extensions, for [`peer`](Self::peer).
    pub extensions: &'a Extensions,
    /// Finds the connection's peer in the extensions (`network.peer.*`, and
    /// `client.address` when no proxy says); called only for a recording span.
    pub peer: fn(&Extensions) -> Option<SocketAddr>,
    /// `url.scheme` when neither the URI nor a proxy header says (`http` or `https`).
    pub default_scheme: &'static str,
    /// A span context the span links to instead of having it as parent (a public
    /// endpoint's caller).
    pub link: Option<SpanContext>,
    /// Whether a response header will name the server span (`server-timing`,
    /// `traceresponse`). When not, a request the sampler drops under a valid remote
    /// parent runs in the caller's context instead of one holding a span that records
    /// nothing.
    pub span_in_response: bool,
}

/// How a server records its requests: redaction, captured headers, metrics, and the
/// interned `server.address` values. One per layer, shared by its requests.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// Redacts `url.query`, URL-valued captured headers and error messages.
    pub redactor: UrlRedactor,
    /// Request headers recorded as `http.request.header.<name>`.
    pub request_headers: HeaderCapture,
    /// Response headers recorded as `http.response.header.<name>`.
    pub response_headers: HeaderCapture,
    /// The HTTP server metrics' instruments.
    pub metrics: MetricsSource,
    /// `server.address` values: few in practice, so interned.
    pub hosts: Arc<Interner>,
}

impl Default for ServerSettings {
    /// The default redactor, no captured headers, the global meter provider.
    fn default() -> Self {
        ServerSettings {
            redactor: UrlRedactor::default(),
            request_headers: HeaderCapture::default(),
            response_headers: HeaderCapture::default(),
            metrics: MetricsSource::global(Side::Server, Default::default()),
            hosts: Arc::new(Interner::new(256, 255)),
        }
    }
}

/// Room for every attribute a server span gets besides captured headers and its end
/// (status, `error.type`), so the SDK never grows the list.
const SPAN_ATTRIBUTES: usize = 16;

/// Every attribute a server span starts with, given to the span builder so the sampler sees
/// them — the conventions ask for `client.address`, `http.request.header.<key>`, the
/// method, `server.*`, `url.*` and `user_agent.original` at creation: the method (and
/// `_original`), `url.scheme`, `url.path`, `url.query` (redacted), `http.route`,
/// `server.address` / `server.port`, and the [details](push_details). One list: a span
/// the sampler records is not touched again until its end (each later call takes the
/// span's lock).
pub(super) fn span_attributes(
    request: &ServerRequest<'_>,
    proxy: &ProxyHeaders<'_>,
    settings: &ServerSettings,
    [method, scheme]: [&KeyValue; 2],
    route: &Option<KeyValue>,
    protocol: Option<&'static str>,
) -> Vec<KeyValue> {
    let mut attributes = Vec::with_capacity(SPAN_ATTRIBUTES + settings.request_headers.len());
    attributes.push(method.clone());
    if let Some(original) = request.method.original {
        attributes.push(KeyValue::new(
            attr::HTTP_REQUEST_METHOD_ORIGINAL,
            capped(original, limits::MAX_METHOD_ORIGINAL).into_owned(),
        ));
    }
    attributes.push(scheme.clone());
    let path = capped(request.uri.path(), limits::MAX_URL_PATH);
    attributes.push(KeyValue::new(attr::URL_PATH, path.into_owned()));
    if let Some(query) = request.uri.query().filter(|q| !q.is_empty()) {
        attributes.push(KeyValue::new(
            attr::URL_QUERY,
            capped(
                &settings.redactor.redact_query(query),
                limits::MAX_URL_QUERY,
            )
            .into_owned(),
        ));
    }
    if let Some(route) = route {
        attributes.push(route.clone());
    }
    push_server_address(request, proxy, settings, &mut attributes);
    push_details(request, proxy, settings, protocol, &mut attributes);
    attributes
}

/// `server.address` (interned) and `server.port`, from a proxy's headers, the URI's
/// authority or `Host`.
pub(super) fn push_server_address(
    request: &ServerRequest<'_>,
    proxy: &ProxyHeaders<'_>,
    settings: &ServerSettings,
    attributes: &mut Vec<KeyValue>,
) {
    if let Some(server) = proxy.server_address(request.headers, request.uri) {
        attributes.push(KeyValue::new(
            attr::SERVER_ADDRESS,
            settings.hosts.get(server.host),
        ));
        if let Some(port) = server.port {
            attributes.push(KeyValue::new(attr::SERVER_PORT, i64::from(port)));
        }
    }
}

/// Whether an unsampled request can run in the caller's context rather than in one holding
/// the dropped server span: the caller sent a valid remote span context. Handler code then
/// continues the caller's context (same trace id, same unsampled flag, parent-id passed on
/// unchanged, as W3C Trace Context allows), which saves boxing a span that records nothing.
pub(super) fn keeps_caller(parent: &Context) -> bool {
    parent.has_active_span() && {
        let span = parent.span();
        let sc = span.span_context();
        sc.is_remote() && sc.is_valid()
    }
}

/// `network.protocol.version`, `user_agent.original`, `client.address` (from a proxy's
/// headers, else the peer), `network.peer.address` / `port`, captured request headers.
fn push_details(
    request: &ServerRequest<'_>,
    proxy: &ProxyHeaders<'_>,
    settings: &ServerSettings,
    protocol: Option<&'static str>,
    attributes: &mut Vec<KeyValue>,
) {
    if let Some(version) = protocol {
        attributes.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, version));
    }
    let agent = request
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty());
    if let Some(agent) = agent {
        let agent = capped(agent, limits::MAX_USER_AGENT).into_owned();
        attributes.push(KeyValue::new(attr::USER_AGENT_ORIGINAL, agent));
    }
    let peer = (request.peer)(request.extensions);
    // The peer IP is formatted once, and shared when it is also `client.address`.
    let peer_ip = peer.map(|p| StringValue::from(ip_string(p.ip())));
    let client = match proxy.client_address() {
        Some(client) => Some(StringValue::from(client.to_owned())),
        None => peer_ip.clone(),
    };
    if let Some(client) = client {
        attributes.push(KeyValue::new(attr::CLIENT_ADDRESS, client));
    }
    if let (Some(ip), Some(peer)) = (peer_ip, peer) {
        attributes.push(KeyValue::new(attr::NETWORK_PEER_ADDRESS, ip));
        attributes.push(KeyValue::new(
            attr::NETWORK_PEER_PORT,
            i64::from(peer.port()),
        ));
    }
    attributes.extend(
        settings
            .request_headers
            .capture(request.headers, &settings.redactor),
    );
}

/// `Content-Length`, for `http.server.request.body.size`.
pub(super) fn request_body_size(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok())
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
