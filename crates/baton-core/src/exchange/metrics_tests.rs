//! The HTTP metrics an exchange records, read back from a real SDK reader: per attribute
//! set, over two delta intervals. The same figures whether measurements go through bound
//! handles (`bound-metrics`) or not, and past the bound-set cap.

use http::{Extensions, HeaderMap, Method};
use opentelemetry::trace::noop::NoopTracer;
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{
    InMemoryMetricExporter, PeriodicReader, SdkMeterProvider, Temporality,
};
use std::collections::BTreeMap;

use super::{
    HttpMetrics, Instruments, MAX_BOUND_SETS, MetricsSource, Outcome, ServerExchange,
    ServerRequest, ServerSettings, Side,
};

struct Rig {
    provider: SdkMeterProvider,
    exporter: InMemoryMetricExporter,
    settings: ServerSettings,
}

fn rig() -> Rig {
    let exporter = opentelemetry_sdk::metrics::InMemoryMetricExporterBuilder::new()
        .with_temporality(Temporality::Delta)
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let instruments = Instruments {
        body_sizes: true,
        active_requests: true,
    };
    let settings = ServerSettings {
        metrics: MetricsSource::given(&provider, Side::Server, instruments),
        ..ServerSettings::default()
    };
    Rig {
        provider,
        exporter,
        settings,
    }
}

/// One request to `route` answered `status` with a 12-byte body.
fn serve(settings: &ServerSettings, route: &'static str, status: u16) {
    let uri: http::Uri = format!("http://api.example{route}").parse().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-length", "3".parse().unwrap());
    let extensions = Extensions::new();
    let request = ServerRequest {
        route: Some(route.into()),
        ..super::tests::server_request(&Method::POST, &uri, &headers, &extensions)
    };
    let mut x = ServerExchange::start(&NoopTracer::new(), Context::new(), &request, settings);
    x.on_response(status, &HeaderMap::new(), settings);
    x.add_body_bytes(12);
    x.finish(Outcome::Completed);
}

/// What one export holds: per metric name, per (route, status), the histogram's count and
/// sum, or the sum's value.
type Points = BTreeMap<(String, String, i64), (u64, f64)>;

fn export(rig: &Rig) -> Points {
    rig.provider.force_flush().unwrap();
    let mut points = Points::new();
    let attr = |attrs: Vec<&KeyValue>, key: &str| {
        attrs
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    let key = |name: &str, attrs: Vec<&KeyValue>| {
        let route = match attr(attrs.clone(), "http.route") {
            Some(Value::String(s)) => s.to_string(),
            _ => String::new(),
        };
        let status = match attr(attrs, "http.response.status_code") {
            Some(Value::I64(i)) => i,
            _ => 0,
        };
        (name.to_owned(), route, status)
    };
    for rm in rig.exporter.get_finished_metrics().unwrap() {
        for m in rm.scope_metrics().flat_map(|s| s.metrics()) {
            match m.data() {
                AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                    for p in h.data_points() {
                        let k = key(m.name(), p.attributes().collect());
                        points.insert(k, (p.count(), p.sum()));
                    }
                }
                AggregatedMetrics::U64(MetricData::Histogram(h)) => {
                    for p in h.data_points() {
                        let k = key(m.name(), p.attributes().collect());
                        points.insert(k, (p.count(), p.sum() as f64));
                    }
                }
                AggregatedMetrics::I64(MetricData::Sum(s)) => {
                    for p in s.data_points() {
                        let k = key(m.name(), p.attributes().collect());
                        points.insert(k, (0, p.value() as f64));
                    }
                }
                _ => {}
            }
        }
    }
    rig.exporter.reset();
    points
}

fn count(points: &Points, name: &str, route: &str, status: i64) -> Option<u64> {
    points
        .get(&(name.to_owned(), route.to_owned(), status))
        .map(|p| p.0)
}

#[test]
fn every_set_is_counted_over_delta_intervals() {
    let rig = rig();
    for _ in 0..3 {
        serve(&rig.settings, "/a", 200);
    }
    for _ in 0..2 {
        serve(&rig.settings, "/b", 500);
    }
    let first = export(&rig);
    let d = "http.server.request.duration";
    assert_eq!(count(&first, d, "/a", 200), Some(3));
    assert_eq!(count(&first, d, "/b", 500), Some(2));
    let size = "http.server.response.body.size";
    assert_eq!(first[&(size.to_owned(), "/a".to_owned(), 200)], (3, 36.0));
    assert_eq!(
        count(&first, "http.server.request.body.size", "/b", 500),
        Some(2)
    );
    // Up once and down once per request: the active count is back to 0 (the up-down
    // counter is cumulative whatever the temporality, as the spec says).
    let active = first
        .iter()
        .find(|(k, _)| k.0 == "http.server.active_requests")
        .map(|(_, v)| v.1);
    assert_eq!(active, Some(0.0));

    serve(&rig.settings, "/a", 200);
    let second = export(&rig);
    assert_eq!(
        count(&second, d, "/a", 200),
        Some(1),
        "delta: this interval only"
    );
    assert_eq!(count(&second, d, "/b", 500), None, "no request, no point");

    serve(&rig.settings, "/b", 500);
    serve(&rig.settings, "/b", 404);
    let third = export(&rig);
    assert_eq!(count(&third, d, "/b", 500), Some(1));
    assert_eq!(count(&third, d, "/b", 404), Some(1), "a new set");
}

#[test]
fn sets_past_the_bound_cap_are_recorded_as_well() {
    let rig = rig();
    let metrics: &HttpMetrics = rig.settings.metrics.get().unwrap();
    let n = MAX_BOUND_SETS + 50;
    for i in 0..n {
        let attrs = [KeyValue::new("http.route", format!("/r{i}"))];
        metrics.record_duration(0.5, &attrs, std::time::SystemTime::now());
        metrics.record_duration(0.25, &attrs, std::time::SystemTime::now());
    }
    let points = export(&rig);
    let d = "http.server.request.duration";
    for i in [0, MAX_BOUND_SETS - 1, MAX_BOUND_SETS, n - 1] {
        let p = points[&(d.to_owned(), format!("/r{i}"), 0)];
        assert_eq!(p, (2, 0.75), "set {i}");
    }
    assert_eq!(points.keys().filter(|k| k.0 == d).count(), n);
}
