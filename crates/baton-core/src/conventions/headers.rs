//! Capturing chosen request and response headers as span attributes.

use http::header::{HeaderMap, HeaderName, InvalidHeaderName};
use opentelemetry::{Array, Key, KeyValue, StringValue, Value};

use super::limits::{MAX_HEADER_VALUE, MAX_HEADER_VALUES, capped};
use super::url::UrlRedactor;

/// Which side of the exchange a header came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderSide {
    /// `http.request.header.<name>`.
    Request,
    /// `http.response.header.<name>`.
    Response,
}

/// The attribute key for a captured header: `http.request.header.<name>` or
/// `http.response.header.<name>`, the name lowercased.
///
/// ```
/// use baton_core::conventions::{header_attribute_key, HeaderSide};
///
/// assert_eq!(header_attribute_key(HeaderSide::Request, "X-Request-Id").as_str(), "http.request.header.x-request-id");
/// ```
pub fn header_attribute_key(side: HeaderSide, name: &str) -> Key {
    let prefix = match side {
        HeaderSide::Request => "http.request.header.",
        HeaderSide::Response => "http.response.header.",
    };
    Key::new(format!("{prefix}{}", name.to_ascii_lowercase()))
}

/// A fixed set of headers to record, with their attribute keys built once, so capturing
/// costs no formatting per request. Only headers named explicitly are captured: headers
/// can carry credentials. Each attribute is a string array holding every value of the
/// header, in order; values that are not visible ASCII are left out. At most
/// [`MAX_HEADER_VALUES`] values are kept, each cut to [`MAX_HEADER_VALUE`] bytes (see
/// [`limits`](super::limits)).
///
/// ```
/// use baton_core::conventions::{HeaderCapture, HeaderSide, UrlRedactor};
/// use opentelemetry::{Array, StringValue, Value};
///
/// let capture = HeaderCapture::new(HeaderSide::Request, ["X-Request-Id", "accept"]).unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-request-id", "abc".parse().unwrap());
/// let attrs: Vec<_> = capture.capture(&headers, &UrlRedactor::default()).collect();
/// assert_eq!(attrs.len(), 1);
/// assert_eq!(attrs[0].key.as_str(), "http.request.header.x-request-id");
/// assert_eq!(attrs[0].value, Value::Array(Array::String(vec![StringValue::from("abc")])));
/// ```
#[derive(Clone, Debug, Default)]
pub struct HeaderCapture {
    entries: Vec<(HeaderName, Key)>,
}

impl HeaderCapture {
    /// Captures the named headers; an invalid header name is an error.
    pub fn new<I, S>(side: HeaderSide, names: I) -> Result<Self, InvalidHeaderName>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut entries: Vec<(HeaderName, Key)> = Vec::new();
        for name in names {
            let name = HeaderName::from_bytes(name.as_ref().as_bytes())?;
            if !entries.iter().any(|(n, _)| *n == name) {
                let key = header_attribute_key(side, name.as_str());
                entries.push((name, key));
            }
        }
        Ok(HeaderCapture { entries })
    }

    /// Whether no header is captured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many headers are captured (each becomes at most one attribute).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The attributes for the captured headers present in `headers`. URL-valued headers
    /// (`Location`, `Referer`) pass through `redactor`, the same one that redacts
    /// `url.full` / `url.query`, so extra sensitive keys apply to them too.
    pub fn capture<'a>(
        &'a self,
        headers: &'a HeaderMap,
        redactor: &'a UrlRedactor,
    ) -> impl Iterator<Item = KeyValue> + 'a {
        self.entries.iter().filter_map(|(name, key)| {
            let values: Vec<StringValue> = headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .take(MAX_HEADER_VALUES)
                // URL-valued headers (`Location`, `Referer`) lose credentials and
                // signatures; then the value is cut (redacting first, so a cut never
                // leaves half a secret).
                .map(|v| {
                    let redacted = redactor.redact_text(v);
                    StringValue::from(capped(&redacted, MAX_HEADER_VALUE).into_owned())
                })
                .collect();
            (!values.is_empty())
                .then(|| KeyValue::new(key.clone(), Value::Array(Array::String(values))))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_valued_headers_use_the_given_redactor() {
        let capture = HeaderCapture::new(HeaderSide::Response, ["location"]).unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "location",
            "https://app.example/next?token=abc&page=2".parse().unwrap(),
        );
        let redactor = UrlRedactor::default().with_query_key("token");
        let attrs: Vec<_> = capture.capture(&h, &redactor).collect();
        assert_eq!(
            attrs[0].value,
            Value::Array(Array::String(vec![StringValue::from(
                "https://app.example/next?token=REDACTED&page=2"
            )]))
        );
    }

    #[test]
    fn captures_every_value_in_order_and_skips_unreadable() {
        let capture =
            HeaderCapture::new(HeaderSide::Response, ["set-cookie-like", "Set-Cookie-Like"])
                .unwrap();
        let mut h = HeaderMap::new();
        h.append("set-cookie-like", "a".parse().unwrap());
        h.append(
            "set-cookie-like",
            http::HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        h.append("set-cookie-like", "b".parse().unwrap());
        let attrs: Vec<_> = capture.capture(&h, &UrlRedactor::default()).collect();
        assert_eq!(attrs.len(), 1);
        assert_eq!(
            attrs[0].key.as_str(),
            "http.response.header.set-cookie-like"
        );
        assert_eq!(
            attrs[0].value,
            Value::Array(Array::String(vec!["a".into(), "b".into()]))
        );
        assert!(HeaderCapture::new(HeaderSide::Request, ["bad name"]).is_err());
        assert!(HeaderCapture::default().is_empty());
    }
}
