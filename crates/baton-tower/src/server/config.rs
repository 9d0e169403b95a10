//! Everything a [`ServerLayer`](super::ServerLayer) was configured with, shared by its
//! services and their requests.

use baton_core::conventions::KnownMethods;
use baton_core::exchange::{PropagatorSource, ServerSettings};
use std::sync::Arc;

use super::hooks::{RequestPredicate, RouteExtractor, SpanNamer};
use super::names::RouteNames;

#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) propagator: PropagatorSource,
    pub(crate) route: Arc<dyn RouteExtractor>,
    pub(crate) filter: Option<Arc<dyn RequestPredicate>>,
    pub(crate) public: Option<Arc<dyn RequestPredicate>>,
    pub(crate) namer: Option<Arc<dyn SpanNamer>>,
    pub(crate) known_methods: KnownMethods,
    pub(crate) scheme: &'static str,
    pub(crate) server_timing: bool,
    pub(crate) traceresponse: bool,
    pub(crate) names: Arc<RouteNames>,
    /// What the exchanges record with: redaction, captured headers, metrics, hosts.
    pub(crate) recording: ServerSettings,
}

impl Config {
    pub(crate) fn new() -> Self {
        Config {
            propagator: PropagatorSource::global(),
            route: default_route(),
            filter: None,
            public: None,
            namer: None,
            known_methods: KnownMethods::from_env_or_warn(),
            scheme: "http",
            server_timing: false,
            traceresponse: false,
            names: Arc::default(),
            recording: ServerSettings::default(),
        }
    }

    /// Whether a response header names the server span.
    pub(crate) fn echoes_trace(&self) -> bool {
        self.server_timing || self.traceresponse
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
