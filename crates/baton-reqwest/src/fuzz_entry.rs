//! The entry point of the `client_redirect` fuzz target: one redirect hop decided and the
//! next request's headers written, from arbitrary input.

use baton_core::exchange::ClientTracing;
use baton_core::propagation::{CompositePropagator, PropagatorKind};
use http::{HeaderName, HeaderValue, Method};
use opentelemetry::baggage::BaggageExt;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, noop::NoopTracerProvider,
};
use opentelemetry::{Context, KeyValue};
use reqwest::{Request, Url};

use crate::handle::start_attempt;
use crate::redirect::next_hop;

/// Headers that must not remain for a host refused trace headers.
const TRACE: [&str; 5] = [
    "traceparent",
    "tracestate",
    "b3",
    "uber-trace-id",
    "x-amzn-trace-id",
];

/// Input: byte 0 picks the redirect status (`301`, `302`, `303`, `307`, `308`, `200`) and
/// the method, then lines: the request URL, the `Location`, then headers `name:value` the
/// request already carries (as a proxying handler could have copied them). Hosts ending in
/// `.allowed` may receive trace headers, `b.allowed` baggage too. The hop is decided as
/// [`FollowRedirects`](crate::FollowRedirects) does and its headers written as
/// [`TracingMiddleware`](crate::TracingMiddleware) does; nothing may panic, a refused host
/// keeps no propagation header, a new origin no credentials.
pub fn redirect_hop(data: &[u8]) {
    let Some((&options, rest)) = data.split_first() else {
        return;
    };
    let mut lines = rest.split(|&b| b == b'\n');
    let url = lines.next().and_then(|l| std::str::from_utf8(l).ok());
    let Some(url) = url.and_then(|u| Url::parse(u).ok()) else {
        return;
    };
    let location = lines.next().unwrap_or_default();
    let method = if options & 0x10 == 0 {
        Method::GET
    } else {
        Method::POST
    };
    let mut request = Request::new(method, url);
    for line in lines.take(64) {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(&line[colon + 1..]),
        ) {
            request.headers_mut().append(name, value);
        }
    }
    let status = [301, 302, 303, 307, 308, 200][usize::from(options & 7) % 6];
    let mut response = http::Response::builder().status(status);
    if let Ok(location) = HeaderValue::from_bytes(location) {
        response = response.header(http::header::LOCATION, location);
    }
    let Ok(response) = response.body(Vec::<u8>::new()) else {
        return;
    };
    let response = reqwest::Response::from(response);
    let before = request.url().clone();
    let mut request = match next_hop(request, &response) {
        Some(hop) => {
            let url = hop.url();
            let same_origin = (url.scheme(), url.host_str(), url.port_or_known_default())
                == (
                    before.scheme(),
                    before.host_str(),
                    before.port_or_known_default(),
                );
            assert!(same_origin || !hop.headers().contains_key(http::header::AUTHORIZATION));
            hop
        }
        None => return,
    };
    inject(&mut request);
}

/// Writes the hop's headers as the tracing middleware would, then checks the allow-lists.
fn inject(request: &mut Request) {
    let tracing = ClientTracing::new()
        .tracer_provider(&NoopTracerProvider::new())
        .propagator(CompositePropagator::new([
            PropagatorKind::TraceContext,
            PropagatorKind::Baggage,
            PropagatorKind::B3,
            PropagatorKind::Jaeger,
            PropagatorKind::XRay,
        ]))
        .propagate_to(|host: &str| host.ends_with(".allowed"))
        .propagate_baggage_to(|host: &str| host == "b.allowed");
    let parent = Context::new()
        .with_remote_span_context(SpanContext::new(
            TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
            SpanId::from(0x00f0_67aa_0ba9_02b7),
            TraceFlags::SAMPLED,
            true,
            TraceState::NONE,
        ))
        .with_baggage([KeyValue::new("tenant", "acme")]);
    let mut extensions = http::Extensions::new();
    extensions.insert(parent);
    let host = request.url().host_str().unwrap_or("").to_owned();
    let _exchange = start_attempt(&tracing, request, &mut extensions);
    let headers = request.headers();
    if !host.ends_with(".allowed") {
        for name in TRACE {
            assert!(!headers.contains_key(name), "{name} sent to {host}");
        }
    }
    if host != "b.allowed" {
        assert!(!headers.contains_key("baggage"), "baggage sent to {host}");
        assert!(
            !headers.keys().any(|n| n.as_str().starts_with("uberctx-")),
            "jaeger baggage sent to {host}"
        );
    }
}
