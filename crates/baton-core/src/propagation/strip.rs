//! Removing propagation headers a request already carries, before it goes to a host that
//! may not receive them (a proxying handler that copied the incoming headers, say).

use http::HeaderMap;
use http::header::HeaderName;

/// The trace headers of every format baton reads: W3C, B3 single and multi, Jaeger, X-Ray.
const TRACE_HEADERS: [&str; 10] = [
    "traceparent",
    "tracestate",
    "b3",
    "x-b3-traceid",
    "x-b3-spanid",
    "x-b3-parentspanid",
    "x-b3-sampled",
    "x-b3-flags",
    "uber-trace-id",
    "x-amzn-trace-id",
];

/// Jaeger's baggage travels one header per entry under this prefix.
const JAEGER_BAGGAGE_PREFIX: &str = "uberctx-";

/// Removes from `headers` the trace headers of every format baton knows (when `trace` is
/// true) and the baggage headers (`baggage` and Jaeger's `uberctx-*`, when `baggage` is
/// true), whichever propagator is configured: a header copied from an incoming request may
/// be in any format.
///
/// ```
/// use baton_core::propagation::remove_propagation_headers;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().unwrap());
/// headers.insert("uberctx-tenant", "acme".parse().unwrap());
/// headers.insert("accept", "*/*".parse().unwrap());
/// remove_propagation_headers(&mut headers, true, true);
/// assert_eq!(headers.len(), 1);
/// ```
pub fn remove_propagation_headers(headers: &mut HeaderMap, trace: bool, baggage: bool) {
    if trace {
        for name in TRACE_HEADERS {
            headers.remove(name);
        }
    }
    if baggage {
        headers.remove("baggage");
        let jaeger: Vec<HeaderName> = headers
            .keys()
            .filter(|name| name.as_str().starts_with(JAEGER_BAGGAGE_PREFIX))
            .cloned()
            .collect();
        for name in jaeger {
            headers.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> HeaderMap {
        let mut h = HeaderMap::new();
        for name in TRACE_HEADERS
            .iter()
            .chain(&["baggage", "uberctx-a", "uberctx-b"])
        {
            h.append(*name, "x".parse().unwrap());
            h.append(*name, "y".parse().unwrap());
        }
        h.insert("x-request-id", "1".parse().unwrap());
        h
    }

    #[test]
    fn removes_each_kind_alone_and_leaves_other_headers() {
        let mut h = all();
        remove_propagation_headers(&mut h, true, false);
        let mut left: Vec<&str> = h.keys().map(HeaderName::as_str).collect();
        left.sort();
        assert_eq!(left, ["baggage", "uberctx-a", "uberctx-b", "x-request-id"]);
        assert_eq!(h.get_all("baggage").iter().count(), 2);

        let mut h = all();
        remove_propagation_headers(&mut h, false, true);
        assert_eq!(h.len(), TRACE_HEADERS.len() * 2 + 1);
        assert!(!h.contains_key("uberctx-a") && !h.contains_key("baggage"));

        let mut h = all();
        remove_propagation_headers(&mut h, true, true);
        assert_eq!(
            h.keys().map(HeaderName::as_str).collect::<Vec<_>>(),
            ["x-request-id"]
        );
    }
}
