//! Everything a [`ClientLayer`](super::ClientLayer) was configured with.

use baton_core::conventions::{KnownMethods, UrlRedactor};

use baton_core::instrument::{
    Instruments, MetricsSource, PropagationPolicy, PropagatorChoice, Side,
};

#[derive(Clone)]
pub(crate) struct ClientConfig {
    pub(crate) propagator: PropagatorChoice,
    pub(crate) policy: PropagationPolicy,
    pub(crate) known_methods: KnownMethods,
    pub(crate) redactor: UrlRedactor,
    pub(crate) metrics: MetricsSource,
}

impl ClientConfig {
    pub(crate) fn new() -> Self {
        ClientConfig {
            propagator: PropagatorChoice::default(),
            policy: PropagationPolicy::default(),
            known_methods: KnownMethods::from_env().unwrap_or_default(),
            redactor: UrlRedactor::default(),
            metrics: MetricsSource::global(Side::Client, Instruments::default()),
        }
    }
}
