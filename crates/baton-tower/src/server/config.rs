//! Everything a [`ServerLayer`](super::ServerLayer) was configured with, shared by its
//! services and their requests.

use baton_core::conventions::{HeaderCapture, KnownMethods, UrlRedactor};
use std::sync::Arc;

use super::hooks::{RequestPredicate, RouteExtractor, SpanNamer};
use super::names::RouteNames;
use baton_core::instrument::{Instruments, Interner, MetricsSource, PropagatorChoice, Side};

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) propagator: PropagatorChoice,
    pub(crate) route: Arc<dyn RouteExtractor>,
    pub(crate) filter: Option<Arc<dyn RequestPredicate>>,
    pub(crate) public: Option<Arc<dyn RequestPredicate>>,
    pub(crate) namer: Option<Arc<dyn SpanNamer>>,
    pub(crate) request_headers: HeaderCapture,
    pub(crate) response_headers: HeaderCapture,
    pub(crate) redactor: UrlRedactor,
    pub(crate) known_methods: KnownMethods,
    pub(crate) scheme: &'static str,
    pub(crate) server_timing: bool,
    pub(crate) traceresponse: bool,
    pub(crate) metrics: MetricsSource,
    pub(crate) names: Arc<RouteNames>,
    /// `server.address` values: few in practice, so interned.
    pub(crate) hosts: Arc<Interner>,
}

impl Config {
    pub(crate) fn new() -> Self {
        Config {
            propagator: PropagatorChoice::default(),
            route: default_route(),
            filter: None,
            public: None,
            namer: None,
            request_headers: HeaderCapture::default(),
            response_headers: HeaderCapture::default(),
            redactor: UrlRedactor::default(),
            known_methods: KnownMethods::from_env().unwrap_or_default(),
            scheme: "http",
            server_timing: false,
            traceresponse: false,
            metrics: MetricsSource::global(Side::Server, Instruments::default()),
            names: Arc::default(),
            hosts: Arc::new(Interner::new(256, 255)),
        }
    }
}

#[cfg(feature = "axum")]
fn default_route() -> Arc<dyn RouteExtractor> {
    Arc::new(super::hooks::MatchedPathRoute)
}

#[cfg(not(feature = "axum"))]
fn default_route() -> Arc<dyn RouteExtractor> {
    Arc::new(super::hooks::NoRoute)
}
