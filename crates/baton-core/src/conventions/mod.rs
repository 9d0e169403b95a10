//! The stable OpenTelemetry HTTP semantic conventions as code
//! (<https://opentelemetry.io/docs/specs/semconv/http/>).
//!
//! Server and client layers both build their spans and metrics from these pieces, so they
//! cannot disagree on an attribute name, a span name or a status rule.
//!
//! | concern | items |
//! |---|---|
//! | attribute keys | [`attributes`] (`HTTP_REQUEST_METHOD`, `URL_FULL`, …), [`protocol_version`] |
//! | methods | [`KnownMethods`], [`HttpMethod`], `_OTHER`, `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` |
//! | span names | [`span_name`]: `{method} {route}`, `HTTP` for `_OTHER`, never a raw path |
//! | status | [`server_status`] (5xx), [`client_status`] (4xx and 5xx), [`ErrorType`] |
//! | addresses | [`ProxyHeaders`], [`server_address`], [`client_address`], [`forwarded_scheme`], [`default_port`] |
//! | redaction | [`UrlRedactor`]: credentials and signed-URL query values |
//! | header capture | [`HeaderCapture`] |
//! | limits | [`limits`]: peer-controlled values capped before they reach a span |
//! | metrics | [`metrics`]: names, units, [`metrics::DURATION_BUCKETS`] |
//! | client spans | [`UrlTemplate`], [`ClientUrl`], [`classify_error`] |
//!
//! # Naming a server span
//!
//! ```
//! use baton_core::conventions::{self as semconv, KnownMethods};
//! use opentelemetry::KeyValue;
//!
//! let known = KnownMethods::default();
//! let request = http::Request::get("/users/42").header("host", "api.example:8080").body(()).unwrap();
//! let method = known.classify(request.method());
//! let name = semconv::span_name(&method, Some("/users/{id}"));
//! let server = semconv::server_address(request.headers(), request.uri()).unwrap();
//! let attributes = [
//!     KeyValue::new(semconv::attributes::HTTP_REQUEST_METHOD, method.value.clone()),
//!     KeyValue::new(semconv::attributes::SERVER_ADDRESS, server.host.to_owned()),
//!     KeyValue::new(semconv::attributes::SERVER_PORT, i64::from(server.port.unwrap_or(80))),
//! ];
//! assert_eq!(name, "GET /users/{id}");
//! assert_eq!(attributes[2].value, 8080_i64.into());
//! ```

pub mod attributes;
pub mod limits;
pub mod metrics;
pub mod rpc;

mod address;
mod client;
mod headers;
mod method;
mod proxy;
mod span_name;
mod status;
mod url;
mod url_text;

pub use address::{HostPort, default_port, http_scheme, parse_host_port};
#[doc(no_inline)]
pub use attributes::protocol_version;
pub(crate) use client::start_attributes;
pub use client::{ClientUrl, UrlTemplate, classify_error};
pub use headers::{HeaderCapture, HeaderSide, header_attribute_key};
pub use method::{
    DEFAULT_KNOWN_METHODS, HttpMethod, KnownMethods, KnownMethodsError,
    OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, OTHER,
};
pub use proxy::{ProxyHeaders, client_address, forwarded_scheme, server_address};
pub use span_name::span_name;
pub use status::{ErrorType, client_status, server_status};
pub use url::{DEFAULT_SENSITIVE_QUERY_KEYS, REDACTED, UrlRedactor};
