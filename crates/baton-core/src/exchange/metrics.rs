//! The HTTP metrics instruments, for either side of a call.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter, MeterProvider, UpDownCounter};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use super::bound::BoundCache;

use super::source::scope;
use crate::conventions::metrics as names;

/// Which side's metric names to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `http.server.*`.
    Server,
    /// `http.client.*`.
    Client,
}

/// Which of the optional HTTP instruments to create besides the duration histogram.
///
/// `http.{side}.request.duration` is the only Stable HTTP metric and is always created.
/// The body-size histograms are opt-in by the conventions; `http.{side}.active_requests`
/// has status Development and costs two measurements per request (each hashes the whole
/// attribute set in the SDK), so every layer creates it only on request.
///
/// ```
/// use baton_core::exchange::Instruments;
///
/// let default = Instruments::default();
/// assert!(!default.active_requests && !default.body_sizes);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Instruments {
    /// `http.{side}.response.body.size`, and on a server `http.server.request.body.size`.
    pub body_sizes: bool,
    /// `http.{side}.active_requests`.
    pub active_requests: bool,
}

/// The instruments of the stable HTTP metrics for one side: the duration histogram with
/// the advised buckets, and the optional active-requests counter and body-size histograms.
///
/// Exchanges record through bound handles of these instruments, one per attribute set
/// seen, when baton-core's `bound-metrics` feature is on (`baton-sdk` turns it on): see
/// [`MAX_BOUND_SETS`](super::MAX_BOUND_SETS).
#[derive(Clone, Debug)]
pub struct HttpMetrics {
    /// `http.{side}.request.duration`, seconds.
    pub duration: Histogram<f64>,
    /// `http.{side}.active_requests`, when asked for.
    pub active: Option<UpDownCounter<i64>>,
    /// `rpc.{side}.call.duration`, seconds: the duration of gRPC calls (RPC conventions
    /// v1.44.0), with the same buckets. Created with the HTTP instruments, recorded only
    /// when a call is gRPC.
    pub rpc_duration: Histogram<f64>,
    /// `http.server.request.body.size`, when body sizes are on. Never created on a
    /// client: a client layer does not see how large the body it sends is (reqwest and
    /// hyper set `Content-Length` below the layers).
    pub request_size: Option<Histogram<u64>>,
    /// `http.{side}.response.body.size`, when body sizes are on.
    pub response_size: Option<Histogram<u64>>,
    /// Bound handles of the instruments above, by attribute set.
    bound: Arc<Bound>,
}

/// The bound handles of one [`HttpMetrics`], an instrument each.
#[derive(Debug, Default)]
struct Bound {
    duration: BoundCache<Histogram<f64>>,
    rpc_duration: BoundCache<Histogram<f64>>,
    request_size: BoundCache<Histogram<u64>>,
    response_size: BoundCache<Histogram<u64>>,
    active: BoundCache<UpDownCounter<i64>>,
}

/// The instruments' measurements, as exchanges make them, at `now` (which renews the
/// bound handles: see [`BOUND_REBIND_SECS`](super::BOUND_REBIND_SECS)).
impl HttpMetrics {
    /// `http.{side}.request.duration`.
    pub(super) fn record_duration(&self, seconds: f64, attributes: &[KeyValue], now: SystemTime) {
        (self.bound.duration).measure(&self.duration, seconds, attributes, now);
    }

    /// `rpc.{side}.call.duration`.
    pub(super) fn record_rpc_duration(
        &self,
        seconds: f64,
        attributes: &[KeyValue],
        now: SystemTime,
    ) {
        (self.bound.rpc_duration).measure(&self.rpc_duration, seconds, attributes, now);
    }

    /// `http.server.request.body.size`, when body sizes are on.
    pub(super) fn record_request_size(&self, bytes: u64, attributes: &[KeyValue], now: SystemTime) {
        if let Some(h) = &self.request_size {
            self.bound.request_size.measure(h, bytes, attributes, now);
        }
    }

    /// `http.{side}.response.body.size`, when body sizes are on.
    pub(super) fn record_response_size(
        &self,
        bytes: u64,
        attributes: &[KeyValue],
        now: SystemTime,
    ) {
        if let Some(h) = &self.response_size {
            self.bound.response_size.measure(h, bytes, attributes, now);
        }
    }

    /// `http.{side}.active_requests` up (`1`) or down (`-1`), when it is on.
    pub(super) fn add_active(&self, delta: i64, attributes: &[KeyValue], now: SystemTime) {
        if let Some(c) = &self.active {
            self.bound.active.measure(c, delta, attributes, now);
        }
    }
}

impl HttpMetrics {
    /// Creates the instruments from `meter`.
    pub fn new(meter: &Meter, side: Side, instruments: Instruments) -> Self {
        let (rpc_duration, rpc_description) = match side {
            Side::Server => (
                crate::conventions::rpc::RPC_SERVER_CALL_DURATION,
                "Measures the duration of an incoming Remote Procedure Call (RPC).",
            ),
            Side::Client => (
                crate::conventions::rpc::RPC_CLIENT_CALL_DURATION,
                "Measures the duration of an outgoing Remote Procedure Call (RPC).",
            ),
        };
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
            instruments.body_sizes.then(|| {
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
            rpc_duration: meter
                .f64_histogram(rpc_duration)
                .with_unit(names::UNIT_SECONDS)
                .with_description(rpc_description)
                .with_boundaries(crate::conventions::rpc::DURATION_BUCKETS.to_vec())
                .build(),
            active: instruments.active_requests.then(|| {
                meter
                    .i64_up_down_counter(active)
                    .with_unit(names::UNIT_REQUESTS)
                    .with_description(format!("Number of active HTTP {who} requests."))
                    .build()
            }),
            request_size: (side == Side::Server)
                .then(|| size(request_size, "request"))
                .flatten(),
            response_size: size(response_size, "response"),
            bound: Arc::default(),
        }
    }
}

#[derive(Clone)]
enum Source {
    Off,
    Global {
        side: Side,
        instruments: Instruments,
        cell: Arc<OnceLock<Arc<HttpMetrics>>>,
    },
    Given {
        meter: Meter,
        side: Side,
        instruments: Instruments,
        metrics: Arc<HttpMetrics>,
    },
}

/// Where a layer's instruments come from: a provider it was [given](Self::given), the
/// [global](Self::global) provider (read when the first request arrives, so a layer built
/// before the SDK is installed still records), or nowhere ([off](Self::off)).
#[derive(Clone)]
pub struct MetricsSource(Source);

impl MetricsSource {
    /// The global meter provider's instruments, created on first use.
    pub fn global(side: Side, instruments: Instruments) -> Self {
        MetricsSource(Source::Global {
            side,
            instruments,
            cell: Arc::new(OnceLock::new()),
        })
    }

    /// Instruments from `provider`.
    pub fn given<P: MeterProvider + ?Sized>(
        provider: &P,
        side: Side,
        instruments: Instruments,
    ) -> Self {
        let meter = provider.meter_with_scope(scope());
        let metrics = Arc::new(HttpMetrics::new(&meter, side, instruments));
        MetricsSource(Source::Given {
            meter,
            side,
            instruments,
            metrics,
        })
    }

    /// The same source with these optional instruments.
    pub fn with_instruments(&self, instruments: Instruments) -> Self {
        match &self.0 {
            Source::Off => MetricsSource::off(),
            Source::Global { side, .. } => MetricsSource::global(*side, instruments),
            Source::Given { meter, side, .. } => {
                let metrics = Arc::new(HttpMetrics::new(meter, *side, instruments));
                MetricsSource(Source::Given {
                    meter: meter.clone(),
                    side: *side,
                    instruments,
                    metrics,
                })
            }
        }
    }

    /// The same source with the opt-in body-size histograms on or off.
    pub fn with_body_sizes(&self, on: bool) -> Self {
        self.with_instruments(Instruments {
            body_sizes: on,
            ..self.instruments()
        })
    }

    /// The same source with `http.{side}.active_requests` on or off.
    pub fn with_active_requests(&self, on: bool) -> Self {
        self.with_instruments(Instruments {
            active_requests: on,
            ..self.instruments()
        })
    }

    /// No metrics.
    pub fn off() -> Self {
        MetricsSource(Source::Off)
    }

    /// Whether metrics are on (not [`off`](Self::off)).
    pub fn is_on(&self) -> bool {
        !matches!(self.0, Source::Off)
    }

    /// The optional instruments this source creates (none when metrics are off).
    pub fn instruments(&self) -> Instruments {
        match &self.0 {
            Source::Global { instruments, .. } | Source::Given { instruments, .. } => *instruments,
            Source::Off => Instruments::default(),
        }
    }

    /// Whether the opt-in body-size histograms are on.
    pub fn body_sizes(&self) -> bool {
        self.instruments().body_sizes
    }

    /// The instruments, if metrics are on.
    pub fn get(&self) -> Option<&HttpMetrics> {
        self.shared().map(|m| &**m)
    }

    /// The instruments, if metrics are on, to be held by an exchange.
    pub(crate) fn shared(&self) -> Option<&Arc<HttpMetrics>> {
        match &self.0 {
            Source::Off => None,
            Source::Global {
                side,
                instruments,
                cell,
            } => Some(cell.get_or_init(|| {
                Arc::new(HttpMetrics::new(
                    &opentelemetry::global::meter_with_scope(scope()),
                    *side,
                    *instruments,
                ))
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
