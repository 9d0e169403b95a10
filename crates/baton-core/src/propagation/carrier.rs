//! Carriers that let any OpenTelemetry propagator read and write an [`http::HeaderMap`].

use http::header::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector};

/// Reads propagation fields from request or response headers.
///
/// Header names are matched case-insensitively. A value that is not visible ASCII (for
/// example raw non-UTF-8 bytes) reads as absent through [`Extractor::get`]; through
/// [`Extractor::get_all`] it reads as an empty string, so that a propagator can still see
/// how many values a repeated header had (two `traceparent` headers make the context
/// invalid even when one of them is garbage).
///
/// ```
/// use baton_core::propagation::HeaderExtractor;
/// use opentelemetry::propagation::Extractor;
///
/// let mut headers = http::HeaderMap::new();
/// headers.append("tracestate", "a=1".parse().unwrap());
/// headers.append("tracestate", "b=2".parse().unwrap());
/// assert_eq!(HeaderExtractor(&headers).get_all("TraceState"), Some(vec!["a=1", "b=2"]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

impl HeaderExtractor<'_> {
    fn lookup(&self, key: &str) -> http::header::GetAll<'_, HeaderValue> {
        // Looking up by a `&str` makes `http` parse and lowercase the name on every call;
        // the fields baton's propagators read are matched to prebuilt names instead.
        match known_name(key) {
            Some(name) => self.0.get_all(name),
            None => self.0.get_all(key),
        }
    }
}

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.lookup(key).iter().next().and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }

    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let mut values = self.lookup(key).iter().peekable();
        values.peek()?;
        Some(values.map(|v| v.to_str().unwrap_or("")).collect())
    }
}

/// Writes propagation fields into request or response headers.
///
/// A field whose name or value is not a valid HTTP header (a baggage value holding a newline,
/// say) is skipped, never panicked on; the request goes out without it. Setting a field
/// replaces any value the headers already had for it.
///
/// ```
/// use baton_core::propagation::HeaderInjector;
/// use opentelemetry::propagation::Injector;
///
/// let mut headers = http::HeaderMap::new();
/// HeaderInjector(&mut headers).set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into());
/// HeaderInjector(&mut headers).set("baggage", "bad\nvalue".into());
/// assert!(headers.contains_key("traceparent"));
/// assert!(!headers.contains_key("baggage"));
/// ```
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        let Some(name) = header_name(key) else { return };
        if let Ok(value) = HeaderValue::try_from(value) {
            self.0.insert(name, value);
        }
    }

    fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional);
    }
}

/// The fields baton's propagators read and write, prebuilt so that looking them up skips
/// parsing the name and writing them never allocates.
static KNOWN: [HeaderName; 10] = [
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
    HeaderName::from_static("baggage"),
    HeaderName::from_static("b3"),
    HeaderName::from_static("x-b3-traceid"),
    HeaderName::from_static("x-b3-spanid"),
    HeaderName::from_static("x-b3-sampled"),
    HeaderName::from_static("x-b3-flags"),
    HeaderName::from_static("uber-trace-id"),
    HeaderName::from_static("x-amzn-trace-id"),
];

/// The prebuilt name for `key`, given in lowercase as the propagators do.
fn known_name(key: &str) -> Option<&'static HeaderName> {
    let i = match key {
        "traceparent" => 0,
        "tracestate" => 1,
        "baggage" => 2,
        "b3" => 3,
        "x-b3-traceid" => 4,
        "x-b3-spanid" => 5,
        "x-b3-sampled" => 6,
        "x-b3-flags" => 7,
        "uber-trace-id" => 8,
        "x-amzn-trace-id" => 9,
        _ => return None,
    };
    Some(&KNOWN[i])
}

fn header_name(key: &str) -> Option<HeaderName> {
    if let Some(known) = known_name(key) {
        return Some(known.clone());
    }
    HeaderName::from_bytes(key.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_all_keeps_order_and_counts_unreadable_values() {
        let mut h = HeaderMap::new();
        h.append("traceparent", HeaderValue::from_static("x"));
        h.append("traceparent", HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        let ex = HeaderExtractor(&h);
        assert_eq!(ex.get_all("traceparent"), Some(vec!["x", ""]));
        assert_eq!(ex.get_all("missing"), None);
        assert_eq!(ex.get("TRACEPARENT"), Some("x"));
    }

    #[test]
    fn non_ascii_value_reads_as_absent() {
        let mut h = HeaderMap::new();
        h.insert(
            "baggage",
            HeaderValue::from_bytes("k=é".as_bytes()).unwrap(),
        );
        assert_eq!(HeaderExtractor(&h).get("baggage"), None);
    }

    #[test]
    fn set_skips_invalid_names_and_values_and_replaces_existing() {
        let mut h = HeaderMap::new();
        h.insert("b3", HeaderValue::from_static("old"));
        let mut inj = HeaderInjector(&mut h);
        inj.set("B3", "new".into());
        inj.set("bad name", "v".into());
        inj.set("x-ok", "line\r\nbreak".into());
        inj.set("uberctx-Tenant", "7".into());
        assert_eq!(h.get("b3").unwrap(), "new");
        assert_eq!(h.len(), 2);
        assert_eq!(h.get("uberctx-tenant").unwrap(), "7");
    }
}
