//! Reading and writing trace context and baggage in HTTP headers.
//!
//! Every propagator here implements OpenTelemetry's [`TextMapPropagator`], so it works with
//! `opentelemetry::global::set_text_map_propagator` and with any carrier. For
//! [`http::HeaderMap`], use [`HeaderExtractor`] and [`HeaderInjector`]: they see every value
//! of a repeated header, which the specs need (several `tracestate` or `baggage` headers form
//! one list; two `traceparent` headers make the context invalid), and they skip, rather than
//! panic on, a value that cannot be a header.
//!
//! | format | type | `OTEL_PROPAGATORS` |
//! |---|---|---|
//! | W3C Trace Context | [`TraceContextPropagator`] | `tracecontext` |
//! | W3C Baggage | [`BaggagePropagator`] | `baggage` |
//! | B3 single / multi | [`B3Propagator`] | `b3` / `b3multi` |
//! | Jaeger | [`JaegerPropagator`] | `jaeger` |
//! | AWS X-Ray | [`XRayPropagator`] | `xray` |
//!
//! [`CompositePropagator::from_env`] builds the combination `OTEL_PROPAGATORS` asks for.
//!
//! # Continuing a trace on a server, and passing it on from a client
//!
//! ```
//! use baton_core::propagation::{CompositePropagator, HeaderExtractor, HeaderInjector};
//! use opentelemetry::propagation::TextMapPropagator;
//! use opentelemetry::trace::TraceContextExt;
//!
//! let propagator = CompositePropagator::from_env()?;
//!
//! // Server side: read the caller's context from the request headers.
//! let mut incoming = http::HeaderMap::new();
//! incoming.insert("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse()?);
//! incoming.insert("baggage", "tenant.id=acme".parse()?);
//! let cx = propagator.extract(&HeaderExtractor(&incoming));
//! assert!(cx.span().span_context().is_remote());
//!
//! // Client side: write the current context into an outgoing request.
//! let mut outgoing = http::HeaderMap::new();
//! propagator.inject_context(&cx, &mut HeaderInjector(&mut outgoing));
//! assert_eq!(outgoing["baggage"], "tenant.id=acme");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Bad input
//!
//! Nothing here panics on what a peer sends. A malformed header is treated as absent (or, for
//! `tracestate` and `baggage`, cut down as the specs say), and parsing never allocates more
//! than the limits allow: 32 `tracestate` members, 64 baggage members / 8,192 bytes.

mod b3;
mod baggage;
mod carrier;
mod composite;
mod continued;
mod debug;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzz_entry;
mod hex;
mod jaeger;
mod local_roots;
mod percent;
mod strip;
mod trace_context;
mod tracestate;
mod xray;

pub use b3::{B3Encoding, B3Propagator};
pub use baggage::BaggagePropagator;
pub use carrier::{HeaderExtractor, HeaderInjector};
pub use composite::{
    CompositePropagator, DEFAULT_PROPAGATORS, OTEL_PROPAGATORS, PropagatorError, PropagatorKind,
};
pub use debug::{DebugFlag, is_debug};
pub use jaeger::JaegerPropagator;
pub use local_roots::{local_trace_ids_random, set_local_trace_ids_random};
pub(crate) use local_roots::{with_span, with_span_declared};
pub use percent::{form_decode, percent_decode, percent_encode};
pub use strip::remove_propagation_headers;
pub use trace_context::{
    RANDOM_TRACE_ID, TraceContextPropagator, format_traceparent, format_traceparent_in,
    parse_traceparent,
};
pub use xray::XRayPropagator;

#[doc(no_inline)]
pub use opentelemetry::propagation::TextMapPropagator;

/// Limits applied to what peers send, exposed for documentation and tests.
pub mod limits {
    pub use super::baggage::{MAX_BYTES as BAGGAGE_MAX_BYTES, MAX_MEMBERS as BAGGAGE_MAX_MEMBERS};
    pub use super::tracestate::{
        MAX_HEADER_LEN as TRACESTATE_MAX_HEADER_LEN, MAX_MEMBERS as TRACESTATE_MAX_MEMBERS,
    };
}
