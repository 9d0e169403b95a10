//! The HTTP client of the HTTP exporters (OTLP/HTTP, Zipkin): reqwest on the export
//! runtime, with baton's TLS client for https endpoints.

use std::time::Duration;

#[cfg(feature = "tls")]
use crate::tls::Tls;

/// The protocols offered to an https server: the client speaks HTTP/1.1 only.
#[cfg(feature = "tls")]
const ALPN: &[&[u8]] = &[b"http/1.1"];

/// A client whose every request is abandoned after `timeout`, verifying https servers
/// with `tls` (roots and client certificate) when given.
pub(crate) fn client(
    timeout: Duration,
    #[cfg(feature = "tls")] tls: Option<&Tls>,
) -> Result<reqwest::Client, String> {
    let builder = reqwest::Client::builder().timeout(timeout);
    #[cfg(feature = "tls")]
    let builder = match tls {
        Some(tls) => {
            let config = tls.rustls_config(ALPN).map_err(|e| e.to_string())?;
            builder.tls_backend_preconfigured(config)
        }
        None => builder,
    };
    builder.build().map_err(|e| chain(&e))
}

/// An error with its causes, `outer: inner: innermost`: reqwest and hyper keep the TLS
/// reason (an unknown issuer, a name mismatch) in the source chain, not the message.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// The OTLP/HTTP exporter's client: reqwest, keeping why a request failed.
#[cfg(feature = "otlp-http")]
#[derive(Debug)]
pub(crate) struct Reporting {
    pub(crate) client: reqwest::Client,
    pub(crate) last: super::status::LastError,
}

#[cfg(feature = "otlp-http")]
#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for Reporting {
    async fn send_bytes(
        &self,
        request: http::Request<opentelemetry_http::Bytes>,
    ) -> Result<http::Response<opentelemetry_http::Bytes>, opentelemetry_http::HttpError> {
        let result = self.client.send_bytes(request).await;
        if let Err(e) = &result {
            self.last.set(chain(e.as_ref()));
        }
        result
    }
}
