//! The parts of baton that every layer shares: header propagators and the HTTP semantic
//! conventions.
//!
//! This crate depends only on the OpenTelemetry API and `http`: no SDK, no HTTP framework.
//! Server and client layers both take their attribute names, span names, status rules and
//! header formats from here, so they cannot disagree.
//!
//! - [`propagation`]: W3C Trace Context and Baggage, B3, Jaeger and X-Ray over
//!   [`http::HeaderMap`], and the combination named by `OTEL_PROPAGATORS`.
//! - [`conventions`]: the stable OpenTelemetry HTTP semantic conventions as code.
//! - [`exchange`]: the life of one traced HTTP exchange, server or client, recorded the
//!   same way for every layer (API only).
//!
//! # Feature flags
//!
//! - `bound-metrics`: exchanges record their metrics through the SDK's bound instruments,
//!   one per attribute set seen ([`exchange::MAX_BOUND_SETS`] per instrument), instead of
//!   the SDK hashing the attributes on every measurement, renewed every
//!   [`exchange::BOUND_REBIND_SECS`]. Turns on `opentelemetry_sdk`'s
//!   `experimental_metrics_bound_instruments` feature too (which also makes the SDK's own
//!   span and log processors count what they process); a meter provider that is not
//!   opentelemetry_sdk's and does not implement binding records nothing with it.
//!   `baton-sdk` turns it on.
//! - `fuzzing`: the entry points of the fuzz targets in `fuzz/`; not part of
//!   the stable API.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod conventions;
pub mod exchange;
pub mod propagation;

/// Entry points for the fuzz targets in `fuzz/`: each feeds arbitrary text to one parser.
/// Not part of the stable API.
#[cfg(feature = "fuzzing")]
#[cfg_attr(docsrs, doc(cfg(feature = "fuzzing")))]
pub mod fuzzing {
    pub use crate::propagation::fuzz_entry::*;
}

/// What the layers' macros name; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::exchange::HostPredicate;
    pub use opentelemetry::metrics::MeterProvider;
    pub use opentelemetry::propagation::TextMapPropagator;
    pub use opentelemetry::trace::TracerProvider;
}
