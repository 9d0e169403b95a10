//! The HTTP metrics the server and client layers record.

use baton_core::conventions::metrics as names;
use opentelemetry::metrics::{Histogram, Meter, MeterProvider, UpDownCounter};
use opentelemetry::InstrumentationScope;
use std::sync::{Arc, OnceLock};

use crate::scope;

/// Which side's metric names to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Server,
    Client,
}

/// Instruments for one layer.
#[derive(Clone, Debug)]
pub(crate) struct HttpMetrics {
    pub(crate) duration: Histogram<f64>,
    pub(crate) active: UpDownCounter<i64>,
    pub(crate) request_size: Option<Histogram<u64>>,
    pub(crate) response_size: Option<Histogram<u64>>,
}

impl HttpMetrics {
    fn new(meter: &Meter, side: Side, body_sizes: bool) -> Self {
        let (duration, active, request_size, response_size, who) = match side {
            Side::Server => (
                names::HTTP_SERVER_REQUEST_DURATION,
                names::HTTP_SERVER_ACTIVE_REQUESTS,
                names::HTTP_SERVER_REQUEST_BODY_SIZE,
                names::HTTP_SERVER_RESPONSE_BODY_SIZE,
                "server",
            ),
            Side::Client => (
                names::HTTP_CLIENT_REQUEST_DURATION,
                names::HTTP_CLIENT_ACTIVE_REQUESTS,
                names::HTTP_CLIENT_REQUEST_BODY_SIZE,
                names::HTTP_CLIENT_RESPONSE_BODY_SIZE,
                "client",
            ),
        };
        let size = |name: &'static str, what: &str| {
            body_sizes.then(|| meter.u64_histogram(name).with_unit(names::UNIT_BYTES).with_description(format!("Size of HTTP {who} {what} bodies.")).build())
        };
        HttpMetrics {
            duration: meter
                .f64_histogram(duration)
                .with_unit(names::UNIT_SECONDS)
                .with_description(format!("Duration of HTTP {who} requests."))
                .with_boundaries(names::DURATION_BUCKETS.to_vec())
                .build(),
            active: meter
                .i64_up_down_counter(active)
                .with_unit(names::UNIT_REQUESTS)
                .with_description(format!("Number of active HTTP {who} requests."))
                .build(),
            request_size: size(request_size, "request"),
            response_size: size(response_size, "response"),
        }
    }
}

/// Where the instruments come from: a provider given to the builder, the global one (read
/// when the first request arrives, so a layer built before the SDK is installed still
/// records), or nowhere.
#[derive(Clone)]
pub(crate) enum MetricsSource {
    Off,
    Global { side: Side, body_sizes: bool, cell: Arc<OnceLock<Option<HttpMetrics>>> },
    Given(Option<HttpMetrics>),
}

impl MetricsSource {
    pub(crate) fn global(side: Side, body_sizes: bool) -> Self {
        MetricsSource::Global { side, body_sizes, cell: Arc::new(OnceLock::new()) }
    }

    pub(crate) fn given(provider: &dyn MeterProviderDyn, side: Side, body_sizes: bool) -> Self {
        MetricsSource::Given(Some(HttpMetrics::new(&provider.meter_for(scope()), side, body_sizes)))
    }

    /// Whether the opt-in body-size histograms are on.
    pub(crate) fn body_sizes(&self) -> bool {
        match self {
            MetricsSource::Global { body_sizes, .. } => *body_sizes,
            MetricsSource::Given(m) => m.as_ref().is_some_and(|m| m.response_size.is_some()),
            MetricsSource::Off => false,
        }
    }

    pub(crate) fn get(&self) -> Option<&HttpMetrics> {
        match self {
            MetricsSource::Off => None,
            MetricsSource::Global { side, body_sizes, cell } => cell
                .get_or_init(|| Some(HttpMetrics::new(&opentelemetry::global::meter_with_scope(scope()), *side, *body_sizes)))
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
