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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_only() {
        let check = |url| check_url("OTEL_EXPORTER_ZIPKIN_ENDPOINT", url, "http://z:9411");
        assert!(check("http://z:9411/api/v2/spans").is_ok());
        assert_eq!(
            check("z:9411").unwrap_err().to_string(),
            r#"OTEL_EXPORTER_ZIPKIN_ENDPOINT="z:9411": must be a URL with scheme http or https and a host, such as http://z:9411"#
        );
        #[cfg(feature = "tls")]
        assert!(check("HTTPS://z:9411").is_ok());
        #[cfg(not(feature = "tls"))]
        assert_eq!(
            check("https://z:9411").unwrap_err().to_string(),
            r#"OTEL_EXPORTER_ZIPKIN_ENDPOINT="https://z:9411": needs the "tls" feature, which this build of baton-sdk leaves out (enable it on baton-sdk, or on baton, which forwards it)"#
        );
        assert!(is_https("HTTPS://z") && !is_https("http://z") && !is_https("https:"));
    }
}
