//! Attribute keys of the stable HTTP semantic conventions, as static [`Key`]s so recording
//! them never allocates.

use opentelemetry::Key;

/// `http.request.method`: the method, or `_OTHER` when it is not a known one.
pub const HTTP_REQUEST_METHOD: Key = Key::from_static_str("http.request.method");
/// `http.request.method_original`: the method as received, set only when it differs from
/// `http.request.method`.
pub const HTTP_REQUEST_METHOD_ORIGINAL: Key = Key::from_static_str("http.request.method_original");
/// `http.response.status_code`.
pub const HTTP_RESPONSE_STATUS_CODE: Key = Key::from_static_str("http.response.status_code");
/// `http.route`: the matched route template, server side.
pub const HTTP_ROUTE: Key = Key::from_static_str("http.route");
/// `http.request.resend_count`: set on every attempt after the first, client side.
pub const HTTP_REQUEST_RESEND_COUNT: Key = Key::from_static_str("http.request.resend_count");
/// `http.request.body.size`, in bytes.
pub const HTTP_REQUEST_BODY_SIZE: Key = Key::from_static_str("http.request.body.size");
/// `http.response.body.size`, in bytes.
pub const HTTP_RESPONSE_BODY_SIZE: Key = Key::from_static_str("http.response.body.size");
/// `error.type`: the class of error, see [`ErrorType`](super::ErrorType).
pub const ERROR_TYPE: Key = Key::from_static_str("error.type");
/// `url.full`, client side, redacted (see [`UrlRedactor`](super::UrlRedactor)).
pub const URL_FULL: Key = Key::from_static_str("url.full");
/// `url.path`, server side.
pub const URL_PATH: Key = Key::from_static_str("url.path");
/// `url.query`, server side, redacted.
pub const URL_QUERY: Key = Key::from_static_str("url.query");
/// `url.scheme`.
pub const URL_SCHEME: Key = Key::from_static_str("url.scheme");
/// `url.template`, client side: the template the caller used to build the URL.
pub const URL_TEMPLATE: Key = Key::from_static_str("url.template");
/// `server.address`.
pub const SERVER_ADDRESS: Key = Key::from_static_str("server.address");
/// `server.port`.
pub const SERVER_PORT: Key = Key::from_static_str("server.port");
/// `client.address`: the original client, behind any proxies when they say so.
pub const CLIENT_ADDRESS: Key = Key::from_static_str("client.address");
/// `client.port`.
pub const CLIENT_PORT: Key = Key::from_static_str("client.port");
/// `network.peer.address`: the immediate peer's address.
pub const NETWORK_PEER_ADDRESS: Key = Key::from_static_str("network.peer.address");
/// `network.peer.port`.
pub const NETWORK_PEER_PORT: Key = Key::from_static_str("network.peer.port");
/// `network.protocol.name`: set only when not `http`.
pub const NETWORK_PROTOCOL_NAME: Key = Key::from_static_str("network.protocol.name");
/// `network.protocol.version`: `1.0`, `1.1`, `2`, `3`.
pub const NETWORK_PROTOCOL_VERSION: Key = Key::from_static_str("network.protocol.version");
/// `user_agent.original`.
pub const USER_AGENT_ORIGINAL: Key = Key::from_static_str("user_agent.original");
/// `exception.type`, on the event recording an error.
pub const EXCEPTION_TYPE: Key = Key::from_static_str("exception.type");
/// `exception.message`, on the event recording an error.
pub const EXCEPTION_MESSAGE: Key = Key::from_static_str("exception.message");

/// The value of `network.protocol.version` for an HTTP version, or `None` for one the
/// conventions do not name.
///
/// ```
/// # use baton_core::conventions::protocol_version;
/// assert_eq!(protocol_version(http::Version::HTTP_11), Some("1.1"));
/// assert_eq!(protocol_version(http::Version::HTTP_2), Some("2"));
/// ```
pub fn protocol_version(version: http::Version) -> Option<&'static str> {
    Some(match version {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_11 => "1.1",
        http::Version::HTTP_2 => "2",
        http::Version::HTTP_3 => "3",
        _ => return None,
    })
}
