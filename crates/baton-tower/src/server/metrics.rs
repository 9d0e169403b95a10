//! The HTTP server metrics a [`ServerLayer`](super::ServerLayer) records.

use baton_core::conventions::metrics as names;
use opentelemetry::metrics::{Histogram, Meter, MeterProvider, UpDownCounter};
use opentelemetry::InstrumentationScope;
use std::sync::{Arc, OnceLock};

use crate::scope;

/// Instruments for one layer.
#[derive(Clone, Debug)]
pub(crate) struct ServerMetrics {
    pub(crate) duration: Histogram<f64>,
    pub(crate) active: UpDownCounter<i64>,
    pub(crate) request_size: Option<Histogram<u64>>,
    pub(crate) response_size: Option<Histogram<u64>>,
}

impl ServerMetrics {
    fn new(meter: &Meter, body_sizes: bool) -> Self {
        let size = |name: &'static str, description: &'static str| {
            body_sizes.then(|| meter.u64_histogram(name).with_unit(names::UNIT_BYTES).with_description(description).build())
        };
        ServerMetrics {
            duration: meter
                .f64_histogram(names::HTTP_SERVER_REQUEST_DURATION)
                .with_unit(names::UNIT_SECONDS)
                .with_description("Duration of HTTP server requests.")
                .with_boundaries(names::DURATION_BUCKETS.to_vec())
                .build(),
            active: meter
                .i64_up_down_counter(names::HTTP_SERVER_ACTIVE_REQUESTS)
                .with_unit(names::UNIT_REQUESTS)
                .with_description("Number of active HTTP server requests.")
                .build(),
            request_size: size(names::HTTP_SERVER_REQUEST_BODY_SIZE, "Size of HTTP server request bodies."),
            response_size: size(names::HTTP_SERVER_RESPONSE_BODY_SIZE, "Size of HTTP server response bodies."),
        }
    }
}

/// Where the instruments come from: a provider given to the builder, the global one (read
/// when the first request arrives, so a layer built before the SDK is installed still
/// records), or nowhere.
#[derive(Clone)]
pub(crate) enum MetricsSource {
    Off,
    Global { body_sizes: bool, cell: Arc<OnceLock<Option<ServerMetrics>>> },
    Given(Option<ServerMetrics>),
}

impl MetricsSource {
    pub(crate) fn global(body_sizes: bool) -> Self {
        MetricsSource::Global { body_sizes, cell: Arc::new(OnceLock::new()) }
    }

    pub(crate) fn given(provider: &dyn MeterProviderDyn, body_sizes: bool) -> Self {
        MetricsSource::Given(Some(ServerMetrics::new(&provider.meter_for(scope()), body_sizes)))
    }

    pub(crate) fn get(&self) -> Option<&ServerMetrics> {
        match self {
            MetricsSource::Off => None,
            MetricsSource::Global { body_sizes, cell } => cell
                .get_or_init(|| Some(ServerMetrics::new(&opentelemetry::global::meter_with_scope(scope()), *body_sizes)))
                .as_ref(),
            MetricsSource::Given(m) => m.as_ref(),
        }
    }
}

impl std::fmt::Debug for MetricsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MetricsSource::Off => "Off",
            MetricsSource::Global { .. } => "Global",
            MetricsSource::Given(_) => "Given",
        })
    }
}

/// Object-safe view of a [`MeterProvider`], so the builder can take any provider.
pub(crate) trait MeterProviderDyn {
    fn meter_for(&self, scope: InstrumentationScope) -> Meter;
}

impl<P: MeterProvider> MeterProviderDyn for P {
    fn meter_for(&self, scope: InstrumentationScope) -> Meter {
        self.meter_with_scope(scope)
    }
}
