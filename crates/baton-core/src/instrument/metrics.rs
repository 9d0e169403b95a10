//! The HTTP metrics instruments, for either side of a call.

use opentelemetry::metrics::{Histogram, Meter, MeterProvider, UpDownCounter};
use std::sync::{Arc, OnceLock};

use super::scope;
use crate::conventions::metrics as names;

/// Which side's metric names to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `http.server.*`.
    Server,
    /// `http.client.*`.
    Client,
}

/// The instruments of the stable HTTP metrics for one side: the duration histogram with
/// the advised buckets, the active-requests counter, and the opt-in body-size histograms.
#[derive(Clone, Debug)]
pub struct HttpMetrics {
    /// `http.{side}.request.duration`, seconds.
    pub duration: Histogram<f64>,
    /// `http.{side}.active_requests`.
    pub active: UpDownCounter<i64>,
    /// `http.{side}.request.body.size`, when body sizes are on.
    pub request_size: Option<Histogram<u64>>,
    /// `http.{side}.response.body.size`, when body sizes are on.
    pub response_size: Option<Histogram<u64>>,
}

impl HttpMetrics {
    /// Creates the instruments from `meter`.
    pub fn new(meter: &Meter, side: Side, body_sizes: bool) -> Self {
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
            body_sizes.then(|| {
                meter
                    .u64_histogram(name)
                    .with_unit(names::UNIT_BYTES)
                    .with_description(format!("Size of HTTP {who} {what} bodies."))
                    .build()
            })
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

#[derive(Clone)]
enum Source {
    Off,
    Global {
        side: Side,
        body_sizes: bool,
        cell: Arc<OnceLock<HttpMetrics>>,
    },
    Given {
        meter: Meter,
        side: Side,
        metrics: HttpMetrics,
    },
}

/// Where a layer's instruments come from: a provider it was given, the global provider
/// (read when the first request arrives, so a layer built before the SDK is installed still
/// records), or nowhere.
#[derive(Clone)]
pub struct MetricsSource(Source);

impl MetricsSource {
    /// The global meter provider's instruments, created on first use.
    pub fn global(side: Side, body_sizes: bool) -> Self {
        MetricsSource(Source::Global {
            side,
            body_sizes,
            cell: Arc::new(OnceLock::new()),
        })
    }

    /// Instruments from `provider`.
    pub fn from_provider<P: MeterProvider + ?Sized>(
        provider: &P,
        side: Side,
        body_sizes: bool,
    ) -> Self {
        let meter = provider.meter_with_scope(scope());
        let metrics = HttpMetrics::new(&meter, side, body_sizes);
        MetricsSource(Source::Given {
            meter,
            side,
            metrics,
        })
    }

    /// The same source with the opt-in body-size histograms on or off.
    pub fn with_body_sizes(&self, on: bool) -> Self {
        match &self.0 {
            Source::Off => MetricsSource::off(),
            Source::Global { side, .. } => MetricsSource::global(*side, on),
            Source::Given { meter, side, .. } => {
                let metrics = HttpMetrics::new(meter, *side, on);
                MetricsSource(Source::Given {
                    meter: meter.clone(),
                    side: *side,
                    metrics,
                })
            }
        }
    }

    /// No metrics.
    pub fn off() -> Self {
        MetricsSource(Source::Off)
    }

    /// Whether this source reads the global provider.
    pub fn is_global(&self) -> bool {
        matches!(self.0, Source::Global { .. })
    }

    /// Whether the opt-in body-size histograms are on.
    pub fn body_sizes(&self) -> bool {
        match &self.0 {
            Source::Global { body_sizes, .. } => *body_sizes,
            Source::Given { metrics, .. } => metrics.response_size.is_some(),
            Source::Off => false,
        }
    }

    /// The instruments, if metrics are on.
    pub fn get(&self) -> Option<&HttpMetrics> {
        match &self.0 {
            Source::Off => None,
            Source::Global {
                side,
                body_sizes,
                cell,
            } => Some(cell.get_or_init(|| {
                HttpMetrics::new(
                    &opentelemetry::global::meter_with_scope(scope()),
                    *side,
                    *body_sizes,
                )
            })),
            Source::Given { metrics, .. } => Some(metrics),
        }
    }
}

impl std::fmt::Debug for MetricsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Source::Off => "MetricsSource::Off",
            Source::Global { .. } => "MetricsSource::Global",
            Source::Given { .. } => "MetricsSource::Given",
        })
    }
}
