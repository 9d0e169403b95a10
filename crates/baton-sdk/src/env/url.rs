//! Endpoint URLs, as every exporter's `..._ENDPOINT` variable holds them.

use crate::error::InitError;

/// Whether a checked endpoint is https (so its exporter needs TLS).
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "tls"))]
pub(crate) fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

/// An endpoint must be an absolute `http://` or `https://` URL with a host; https needs
/// the `tls` feature. `example` completes the message ("such as {example}").
pub(crate) fn check_url(var: &'static str, url: &str, example: &str) -> Result<(), InitError> {
    let malformed = || {
        InitError::invalid(
            var,
            url,
            format!("must be a URL with scheme http or https and a host, such as {example}"),
        )
    };
    let parsed: http::Uri = url.parse().map_err(|_| malformed())?;
    if parsed.host().is_none_or(|h| h.is_empty()) {
        return Err(malformed());
    }
    match parsed.scheme_str() {
        Some("http") => Ok(()),
        #[cfg(feature = "tls")]
        Some("https") => Ok(()),
        #[cfg(not(feature = "tls"))]
        Some("https") => Err(InitError::not_compiled(var, url, "tls")),
        _ => Err(malformed()),
    }
}
