//! What both client layers (the tower one and the reqwest middleware) share: the URL
//! template extension, the attributes a client span starts with, and the classification
//! of transport errors into `error.type`.

use opentelemetry::{KeyValue, Value};
use std::borrow::Cow;
use std::error::Error;

use super::address::default_port;
use super::attributes as attr;
use super::limits::{self, capped};
use super::method::HttpMethod;
use super::status::ErrorType;
use super::url::UrlRedactor;

/// The template a request's URL was built from (`/users/{id}`), set by the caller as a
/// request extension: it becomes `url.template` and names the client span
/// `{method} {template}`. Without it, client spans are named `{method}`.
///
/// ```
/// use baton_core::conventions::UrlTemplate;
///
/// let mut request = http::Request::get("http://users.internal/users/42").body(()).unwrap();
/// request.extensions_mut().insert(UrlTemplate::new("/users/{id}"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlTemplate(pub Cow<'static, str>);

impl UrlTemplate {
    /// A template.
    pub fn new(template: impl Into<Cow<'static, str>>) -> Self {
        UrlTemplate(template.into())
    }
}

/// The URL of an outgoing request, in parts, as both `http::Uri` and `reqwest::Url` can give it.
#[derive(Clone, Copy, Debug)]
pub struct ClientUrl<'a> {
    /// The whole URL as sent (it is redacted before it becomes `url.full`).
    pub full: &'a str,
    /// `http`, `https`, …
    pub scheme: Option<&'a str>,
    /// The host the request goes to.
    pub host: Option<&'a str>,
    /// The port, if the URL names one.
    pub port: Option<u16>,
}

/// The attributes a client span starts with: `http.request.method` (and `_original`),
/// `server.address` (made by `address`), `server.port` (the scheme's default made
/// explicit), `url.full` (redacted) and `url.template` when given; with room for
/// `capacity` attributes.
pub(crate) fn start_attributes(
    method: &HttpMethod<'_>,
    url: ClientUrl<'_>,
    template: Option<&UrlTemplate>,
    redactor: &UrlRedactor,
    capacity: usize,
    address: impl FnOnce(&str) -> Value,
) -> Vec<KeyValue> {
    let mut attributes = Vec::with_capacity(capacity);
    attributes.push(KeyValue::new(
        attr::HTTP_REQUEST_METHOD,
        method.value.clone(),
    ));
    if let Some(original) = method.original {
        attributes.push(KeyValue::new(
            attr::HTTP_REQUEST_METHOD_ORIGINAL,
            capped(original, limits::MAX_METHOD_ORIGINAL).into_owned(),
        ));
    }
    if let Some(host) = url.host.filter(|h| !h.is_empty()) {
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        attributes.push(KeyValue::new(attr::SERVER_ADDRESS, address(host)));
    }
    if let Some(port) = url.port.or_else(|| url.scheme.and_then(default_port)) {
        attributes.push(KeyValue::new(attr::SERVER_PORT, i64::from(port)));
    }
    attributes.push(KeyValue::new(
        attr::URL_FULL,
        capped(&redactor.redact_url(url.full), limits::MAX_URL_FULL).into_owned(),
    ));
    if let Some(template) = template {
        attributes.push(KeyValue::new(attr::URL_TEMPLATE, template.0.clone()));
    }
    attributes
}

/// Classifies a transport error for `error.type` by walking its source chain: a timed-out
/// I/O operation or an error saying it timed out is `timeout`; a refused, reset or
/// unreachable connection is `connect`; anything else is `_OTHER`.
///
/// ```
/// use baton_core::conventions::{classify_error, ErrorType};
///
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert_eq!(classify_error(&refused), ErrorType::Connect);
/// ```
pub fn classify_error(error: &(dyn Error + 'static)) -> ErrorType {
    let mut current: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                TimedOut => return ErrorType::Timeout,
                ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected
                | AddrNotAvailable | HostUnreachable | NetworkUnreachable => {
                    return ErrorType::Connect;
                }
                _ => {}
            }
        }
        let text = e.to_string();
        if text.contains("timed out") || text.contains("deadline has elapsed") {
            return ErrorType::Timeout;
        }
        current = e.source();
    }
    ErrorType::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::method::KnownMethods;
    use std::fmt;

    #[derive(Debug)]
    struct Wrapper(std::io::Error);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("client error")
        }
    }

    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn classifies_through_the_source_chain() {
        assert_eq!(
            classify_error(&Wrapper(std::io::ErrorKind::ConnectionRefused.into())),
            ErrorType::Connect
        );
        assert_eq!(
            classify_error(&Wrapper(std::io::ErrorKind::TimedOut.into())),
            ErrorType::Timeout
        );
        assert_eq!(
            classify_error(&Wrapper(std::io::Error::other("boom"))),
            ErrorType::Other
        );
        assert_eq!(
            classify_error(&std::io::Error::other("request timed out")),
            ErrorType::Timeout
        );
    }

    #[test]
    fn start_attributes_of_a_client_span() {
        let purge = http::Method::from_bytes(b"PURGE").unwrap();
        let method = KnownMethods::default().classify(&purge);
        let url = ClientUrl {
            full: "http://[::1]:8080/x",
            scheme: Some("http"),
            host: Some("[::1]"),
            port: Some(8080),
        };
        let attrs = start_attributes(
            &method,
            url,
            Some(&UrlTemplate::new("/x")),
            &UrlRedactor::default(),
            7,
            |host| Value::from(host.to_owned()),
        );
        let get = |k: &str| {
            attrs
                .iter()
                .find(|kv| kv.key.as_str() == k)
                .map(|kv| kv.value.to_string())
        };
        assert_eq!(get("http.request.method").as_deref(), Some("_OTHER"));
        assert_eq!(
            get("http.request.method_original").as_deref(),
            Some("PURGE")
        );
        assert_eq!(get("server.address").as_deref(), Some("::1"));
        assert_eq!(get("server.port").as_deref(), Some("8080"));
        assert_eq!(get("url.template").as_deref(), Some("/x"));
    }
}
