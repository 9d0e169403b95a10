//! The gRPC flavour of an exchange (RPC semantic conventions v1.44.0): what a server call
//! and a client call start with. Their end is the shared [`Recorder`](super::record)'s,
//! told by `grpc-status` instead of the HTTP status.

use http::HeaderMap;
use opentelemetry::{Context, KeyValue};
use std::borrow::Cow;

use super::record::Flavour;
use super::server_request::{ServerRequest, ServerSettings, push_server_address};
use crate::conventions::rpc::{self, GRPC, MAX_METHOD_ORIGINAL, OTHER_METHOD};
use crate::conventions::{ProxyHeaders, attributes as attr};

/// What a span starts with: its name, its attributes (given to the sampler), the metric
/// attributes kept for the end, and the flavour.
pub(super) struct Opening<B> {
    pub(super) name: Cow<'static, str>,
    pub(super) attributes: Vec<KeyValue>,
    pub(super) base: B,
    /// The metrics' last attribute (`http.route`, `url.template`); none for gRPC.
    pub(super) last: Option<KeyValue>,
    pub(super) flavour: Flavour,
}

/// `rpc.method` (and `rpc.method_original` for `_OTHER`) from a request path, and the
/// span name: the method, or `grpc` for `_OTHER`.
fn method(path: &str, attributes: &mut Vec<KeyValue>) -> (Cow<'static, str>, KeyValue) {
    match rpc::grpc_method(path) {
        Some(m) => {
            let kv = KeyValue::new(rpc::RPC_METHOD, m.to_owned());
            attributes.push(kv.clone());
            (Cow::Owned(m.to_owned()), kv)
        }
        None => {
            let kv = KeyValue::new(rpc::RPC_METHOD, OTHER_METHOD);
            attributes.push(kv.clone());
            let mut end = path.len().min(MAX_METHOD_ORIGINAL);
            while !path.is_char_boundary(end) {
                end -= 1;
            }
            attributes.push(KeyValue::new(
                rpc::RPC_METHOD_ORIGINAL,
                path[..end].to_owned(),
            ));
            (Cow::Borrowed(GRPC), kv)
        }
    }
}

/// The call's `grpc-timeout` in milliseconds (at least 1; 0 when there is none; at most
/// `u32::MAX`, 49 days).
fn deadline_ms(headers: &HeaderMap) -> u32 {
    headers
        .get("grpc-timeout")
        .and_then(|v| rpc::parse_grpc_timeout(v.as_bytes()))
        .map_or(0, |t| {
            u32::try_from(t.as_millis()).unwrap_or(u32::MAX).max(1)
        })
}

/// A gRPC server call: `rpc.system.name`, `rpc.method` (`rpc.method_original`),
/// `server.address` / `server.port` (from `:authority`, or a proxy's headers); metrics
/// keep `rpc.system.name` and `rpc.method`.
pub(super) fn server_opening(
    request: &ServerRequest<'_>,
    proxy: &ProxyHeaders<'_>,
    settings: &ServerSettings,
) -> Opening<[KeyValue; 2]> {
    let system = KeyValue::new(rpc::RPC_SYSTEM_NAME, GRPC);
    let mut attributes = Vec::with_capacity(6);
    attributes.push(system.clone());
    let (name, method_kv) = method(request.uri.path(), &mut attributes);
    push_server_address(request, proxy, settings, &mut attributes);
    Opening {
        name,
        attributes,
        base: [system, method_kv],
        last: None,
        flavour: Flavour::Grpc {
            deadline_ms: deadline_ms(request.headers),
        },
    }
}

/// `network.peer.address` / `port` of a recording gRPC server span.
pub(super) fn record_peer(cx: &Context, request: &ServerRequest<'_>) {
    use opentelemetry::trace::TraceContextExt;
    if let Some(peer) = (request.peer)(request.extensions) {
        cx.span().set_attributes([
            KeyValue::new(attr::NETWORK_PEER_ADDRESS, peer.ip().to_string()),
            KeyValue::new(attr::NETWORK_PEER_PORT, i64::from(peer.port())),
        ]);
    }
}

/// What a gRPC client knows before sending a call: the request path, its headers, the
/// target the channel was built for (`server.address` / `server.port`) and the request's
/// extensions (an [`opentelemetry::Context`] there is the parent).
#[derive(Clone, Copy, Debug)]
pub struct GrpcClientRequest<'a> {
    /// The request path, `/package.Service/Method`.
    pub path: &'a str,
    /// The request headers (`grpc-timeout` is read for the deadline).
    pub headers: &'a HeaderMap,
    /// The target's host: `server.address`.
    pub host: &'a str,
    /// The target's port: `server.port`.
    pub port: Option<u16>,
    /// The request's extensions.
    pub extensions: &'a http::Extensions,
}

/// A gRPC client call: `rpc.system.name`, `rpc.method`, `server.address`,
/// `server.port`; the metrics keep all four.
pub(super) fn client_opening(request: &GrpcClientRequest<'_>) -> Opening<Vec<KeyValue>> {
    let mut attributes = Vec::with_capacity(5);
    attributes.push(KeyValue::new(rpc::RPC_SYSTEM_NAME, GRPC));
    let (name, _) = method(request.path, &mut attributes);
    attributes.push(KeyValue::new(attr::SERVER_ADDRESS, request.host.to_owned()));
    if let Some(port) = request.port {
        attributes.push(KeyValue::new(attr::SERVER_PORT, i64::from(port)));
    }
    let base = attributes
        .iter()
        .filter(|kv| kv.key != rpc::RPC_METHOD_ORIGINAL)
        .cloned()
        .collect();
    Opening {
        name,
        attributes,
        base,
        last: None,
        flavour: Flavour::Grpc {
            deadline_ms: deadline_ms(request.headers),
        },
    }
}
