//! Endpoint URLs, as every exporter's `..._ENDPOINT` variable holds them.

use crate::error::InitError;

/// An endpoint must be an absolute `http://` URL with a host.
/// `example` completes the message ("such as {example}").
pub(crate) fn check_url(var: &'static str, url: &str, example: &str) -> Result<(), InitError> {
    let malformed = || {
        InitError::invalid(
            var,
            url,
            format!("must be a URL with scheme http and a host, such as {example}"),
        )
    };
    let parsed: http::Uri = url.parse().map_err(|_| malformed())?;
    match parsed.scheme_str() {
        Some("http") if parsed.host().is_some_and(|h| !h.is_empty()) => Ok(()),
        Some("https") => Err(InitError::invalid(
            var,
            url,
            "https is not supported yet: baton-sdk is built without TLS; send to a local \
             collector over http://",
        )),
        _ => Err(malformed()),
    }
}
