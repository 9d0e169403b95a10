//! Snapshot tests of the waterfall's output.

use super::*;
use crate::batch::block_on::block_on;
use opentelemetry::trace::{SpanContext, SpanKind, Status, TraceFlags, TraceState};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};
use std::time::{Duration, UNIX_EPOCH};

const TRACE: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;

fn span(id: u64, parent: u64, name: &'static str, start_ms: u64, end_ms: u64) -> SpanData {
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(TRACE),
            SpanId::from(id),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ),
        parent_span_id: SpanId::from(parent),
        parent_span_is_remote: false,
        span_kind: SpanKind::Server,
        name: name.into(),
        start_time: t0 + Duration::from_micros(start_ms * 100),
        end_time: t0 + Duration::from_micros(end_ms * 100),
        attributes: Vec::new(),
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: InstrumentationScope::builder("test").build(),
    }
}

fn failed(mut s: SpanData) -> SpanData {
    s.status = Status::error("");
    s.attributes.push(KeyValue::new("error.type", "500"));
    s.attributes
        .push(KeyValue::new("http.response.status_code", 500));
    s
}

/// A shared in-memory terminal.
#[derive(Clone, Default)]
struct Screen(Arc<Mutex<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    fn text(&self) -> String {
        String::from_utf8(lock(&self.0).clone()).unwrap()
    }
}

#[test]
fn draws_a_multi_service_trace_as_a_waterfall() {
    let screen = Screen::default();
    let shared = WaterfallExporter::new(screen.clone());
    let (gateway, auth, users, db) = (
        shared.for_service("gateway"),
        shared.for_service("auth"),
        shared.for_service("users"),
        shared.for_service("db"),
    );
    block_on(db.export(vec![
        span(5, 4, "SELECT users", 110, 210),
        failed(span(6, 4, "SELECT orders", 220, 340)),
    ]))
    .unwrap();
    block_on(auth.export(vec![span(3, 2, "POST /verify", 10, 51)])).unwrap();
    block_on(users.export(vec![failed(span(4, 2, "GET /users/{id}", 60, 410))])).unwrap();
    block_on(gateway.export(vec![failed(span(2, 0, "GET /profile", 0, 419))])).unwrap();
    assert_eq!(
        screen.text(),
        "",
        "drawn only after the grace period following the root"
    );
    shared.draw_pending();

    // Every span is on the critical path (the calls are sequential): the self times add up
    // to the trace's 41.9 ms. The map's latencies are the sketch's bucket midpoints (within
    // 1/16 of the true value).
    let expected = "\
trace 4bf92f3577b34da6a3ce929d0e0e4736  GET /profile  41.9 ms  5 spans · 3 errors
service    span                                0                20.9 ms         41.9 ms
gateway  ◆ GET /profile                        ████████████████████████████████████████    41.9 ms  ✗ error.type=500 http.response.status_code=500
auth     ◆   POST /verify                      █████                                        4.1 ms
users    ◆   GET /users/{id}                        ██████████████████████████████████     35.0 ms  ✗ error.type=500 http.response.status_code=500
db       ◆     SELECT users                              ██████████                        10.0 ms
db       ◆     SELECT orders                                        ███████████            12.0 ms  ✗ error.type=500 http.response.status_code=500
◆ critical path, self time per service: gateway 2.8 ms · auth 4.1 ms · users 13.0 ms · db 22.0 ms

service map  4 services, 3 edges, from 1 trace
  gateway → auth          1 call      0 errors            p50    4.4 ms  p99    4.4 ms
  gateway → users         1 call      1 error (100.0 %)   p50   34.8 ms  p99   34.8 ms
  users   → db            2 calls     1 error (50.0 %)    p50    9.7 ms  p99   11.8 ms
  auth                    1 request   0 errors            p50    4.4 ms  p99    4.4 ms
  db                      2 requests  1 error (50.0 %)    p50    9.7 ms  p99   11.8 ms
  gateway                 1 request   1 error (100.0 %)   p50   43.0 ms  p99   43.0 ms
  users                   1 request   1 error (100.0 %)   p50   34.8 ms  p99   34.8 ms

";
    assert_eq!(screen.text(), expected, "\n{}", screen.text());
}

#[test]
fn orphans_and_zero_length_spans_are_drawn() {
    let screen = Screen::default();
    let exporter = WaterfallExporter::new(screen.clone()).for_service("users");
    // A server span whose caller is in another process, and an instant child.
    let mut remote = span(7, 99, "GET /remote", 0, 100);
    remote.parent_span_is_remote = true;
    block_on(exporter.export(vec![span(8, 7, "cache hit", 50, 50), remote])).unwrap();
    exporter.draw_pending();
    let text = screen.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].starts_with("users    ◆ GET /remote"), "{text}");
    assert!(
        lines[3].starts_with("users        cache hit")
            && lines[3].contains('▏')
            && lines[3].contains("0 µs"),
        "{text}"
    );
}

#[test]
fn a_root_trace_is_drawn_after_the_grace_period_without_shutdown() {
    let screen = Screen::default();
    let exporter = WaterfallExporter::new(screen.clone()).for_service("svc");
    block_on(exporter.export(vec![span(1, 0, "GET /", 0, 10)])).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while screen.text().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        screen.text().contains("GET /"),
        "the background ticker draws it"
    );
}

#[test]
fn colour_only_when_asked() {
    let spans = vec![ServiceSpan {
        service: "svc".into(),
        span: failed(span(1, 0, "GET /", 0, 10)),
    }];
    assert!(!render(&spans, &[], 0, Style::plain()).contains('\x1b'));
    let coloured = render(
        &spans,
        &[],
        0,
        Style {
            color: true,
            ..Style::plain()
        },
    );
    assert!(coloured.contains("\x1b[31m"), "errors in red");
}

#[test]
fn durations_read_naturally() {
    assert_eq!(
        render::format_duration(Duration::from_micros(340)),
        "340 µs"
    );
    assert_eq!(
        render::format_duration(Duration::from_micros(41_900)),
        "41.9 ms"
    );
    assert_eq!(
        render::format_duration(Duration::from_millis(2_500)),
        "2.50 s"
    );
}

#[test]
fn shared_picture_is_drawn_whole_when_the_last_service_shuts_down() {
    let screen = Screen::default();
    let shared = WaterfallExporter::new(screen.clone());
    let mut front = shared.for_service("front");
    let mut back = shared.for_service("back");
    let resource = Resource::builder_empty().build();
    front.set_resource(&resource);
    back.set_resource(&resource);
    // The back end's span is exported; the front end's root is still held by its processor.
    block_on(back.export(vec![span(2, 1, "GET /inner", 1, 5)])).unwrap();
    back.shutdown().unwrap();
    assert_eq!(
        screen.text(),
        "",
        "another service is still running: nothing drawn yet"
    );
    block_on(front.export(vec![span(1, 0, "GET /outer", 0, 10)])).unwrap();
    front.shutdown().unwrap();
    let text = screen.text();
    assert_eq!(text.matches("trace 4bf9").count(), 1, "one picture: {text}");
    assert!(
        text.contains("front    ◆ GET /outer") && text.contains("back     ◆   GET /inner"),
        "{text}"
    );
}

/// A trace whose root is remote, with spans arriving faster than the quiet period (a probe
/// resending one `traceparent`): it is drawn in parts as it reaches its bound, and what
/// waits never exceeds the bounds.
#[test]
fn a_trace_that_never_goes_quiet_is_drawn_in_bounded_parts() {
    let screen = Screen::default();
    let exporter = WaterfallExporter::new(screen.clone()).for_service("probe");
    let n = MAX_TRACE_SPANS * 3 + 10;
    for i in 0..n as u64 {
        // Every span's parent is the probe's remote span (id 1), never sent here.
        block_on(exporter.export(vec![span(i + 2, 1, "GET /health", i, i + 1)])).unwrap();
        let waiting: usize = lock(&exporter.shared.traces)
            .values()
            .map(|p| p.spans.len())
            .sum();
        assert!(
            waiting < MAX_TRACE_SPANS,
            "{waiting} spans waiting after {i}"
        );
    }
    let text = screen.text();
    assert_eq!(
        text.matches(&format!("trace {TRACE:032x}")).count(),
        3,
        "three parts drawn"
    );
    // Each part holds MAX_TRACE_SPANS spans: MAX_ROWS drawn, the rest counted.
    let cut = format!("… {} more spans not shown", MAX_TRACE_SPANS - MAX_ROWS);
    assert_eq!(text.matches(&cut).count(), 3, "{cut:?} in:\n{text}");
}

#[test]
fn the_oldest_traces_are_drawn_when_too_many_spans_wait() {
    let screen = Screen::default();
    let exporter = WaterfallExporter::new(screen.clone()).for_service("many");
    // Traces of 100 spans each under remote parents, none finished or quiet.
    for t in 0..(MAX_PENDING_SPANS / 100 + 5) as u128 {
        let batch = (0..100u64)
            .map(|i| {
                let mut s = span(i + 2, 1, "GET /x", i, i + 1);
                s.span_context = SpanContext::new(
                    TraceId::from(t + 1),
                    SpanId::from(i + 2),
                    TraceFlags::SAMPLED,
                    false,
                    TraceState::NONE,
                );
                s
            })
            .collect();
        block_on(exporter.export(batch)).unwrap();
    }
    let waiting: usize = lock(&exporter.shared.traces)
        .values()
        .map(|p| p.spans.len())
        .sum();
    assert!(waiting <= MAX_PENDING_SPANS, "{waiting} spans waiting");
    assert!(
        screen.text().contains(&format!("trace {:032x}", 1u128)),
        "the oldest trace was drawn"
    );
}

/// Two calls in parallel: only the one that ends last decides the trace's end, so the other
/// is off the critical path and adds nothing to its self times.
#[test]
fn the_critical_path_skips_a_parallel_call_that_ends_first() {
    let screen = Screen::default();
    let shared = WaterfallExporter::new(screen.clone());
    let (api, fast, slow) = (
        shared.for_service("api"),
        shared.for_service("fast"),
        shared.for_service("slow"),
    );
    block_on(fast.export(vec![span(3, 2, "GET /fast", 10, 60)])).unwrap();
    block_on(slow.export(vec![span(4, 2, "GET /slow", 10, 250)])).unwrap();
    block_on(api.export(vec![span(2, 0, "GET /both", 0, 300)])).unwrap();
    shared.draw_pending();
    let text = screen.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].starts_with("api      ◆ GET /both"), "{text}");
    assert!(lines[3].starts_with("fast         GET /fast"), "{text}");
    assert!(lines[4].starts_with("slow     ◆   GET /slow"), "{text}");
    assert_eq!(
        lines[5],
        "◆ critical path, self time per service: api 6.0 ms · slow 24.0 ms"
    );
}

/// Many services calling each other for a long time: the map keeps its bounds, and says
/// how many calls and requests it could not show.
#[test]
fn the_service_map_stays_bounded() {
    let mut map = map::ServiceMap::default();
    for round in 0..20u64 {
        let spans: Vec<ServiceSpan> = (0..200u64)
            .flat_map(|i| {
                let caller = ServiceSpan {
                    service: format!("svc{i}"),
                    span: span(2 * i + 2, 0, "call", round, round + 10),
                };
                let callee = ServiceSpan {
                    service: format!("svc{}", (i * 7 + round) % 300),
                    span: span(2 * i + 3, 2 * i + 2, "serve", round + 1, round + 9),
                };
                [caller, callee]
            })
            .collect();
        map.add_trace(&spans);
    }
    let text = map.render(Style::plain());
    let edges = text.lines().filter(|l| l.contains(" → ")).count();
    assert_eq!(edges, MAX_EDGES, "{text}");
    let services = text
        .lines()
        .filter(|l| l.contains(" request") && !l.contains("not shown"))
        .count();
    assert_eq!(services, MAX_SERVICES, "{text}");
    assert!(
        text.contains("calls on edges not shown (the map keeps 256 edges)"),
        "{text}"
    );
    assert!(
        text.contains("requests to services not shown (the map keeps 128 services)"),
        "{text}"
    );
}

/// A waterfall for `users`, a logger provider exporting to it, and its logger.
#[cfg(feature = "logs")]
fn log_rig() -> (
    Screen,
    WaterfallExporter,
    opentelemetry_sdk::logs::SdkLoggerProvider,
    opentelemetry_sdk::logs::SdkLogger,
) {
    use opentelemetry::logs::LoggerProvider as _;
    let screen = Screen::default();
    let waterfall = WaterfallExporter::new(screen.clone()).for_service("users");
    let logs = opentelemetry_sdk::logs::SdkLoggerProvider::builder()
        .with_simple_exporter(waterfall.log_exporter())
        .build();
    let logger = logs.logger("test");
    (screen, waterfall, logs, logger)
}

#[cfg(feature = "logs")]
#[test]
fn log_records_are_drawn_under_their_span_and_unsampled_ones_are_not_kept() {
    use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _};
    use opentelemetry::trace::{TraceContextExt, TraceId};
    // The records' own times (now) fall past the spans' (at the epoch): drawn at the end.

    let (screen, waterfall, _logs, logger) = log_rig();
    let emit = |message: &'static str, severity: &'static str| {
        let mut record = logger.create_log_record();
        record.set_severity_text(severity);
        record.set_body(AnyValue::from(message));
        logger.emit(record);
    };
    let in_span = |id: u64, flags: TraceFlags, f: &dyn Fn()| {
        let sc = SpanContext::new(
            span(1, 0, "", 0, 0).span_context.trace_id(),
            SpanId::from(id),
            flags,
            false,
            TraceState::default(),
        );
        let _attached = opentelemetry::Context::new()
            .with_remote_span_context(sc)
            .attach();
        f();
    };
    in_span(2, TraceFlags::SAMPLED, &|| emit("loading profile", "INFO"));
    in_span(1, TraceFlags::SAMPLED, &|| emit("slow caller", "WARN"));
    // Not sampled: the waterfall never draws its trace, so it keeps nothing of it.
    let unsampled = || {
        let sc = SpanContext::new(
            TraceId::from(9),
            SpanId::from(9),
            TraceFlags::default(),
            false,
            TraceState::default(),
        );
        let _attached = opentelemetry::Context::new()
            .with_remote_span_context(sc)
            .attach();
        emit("unsampled", "INFO");
    };
    unsampled();
    assert_eq!(
        lock(&waterfall.shared.traces).len(),
        1,
        "only the sampled trace waits"
    );
    block_on(waterfall.export(vec![
        span(1, 0, "GET /users/{id}", 0, 100),
        span(2, 1, "load_profile", 10, 20),
    ]))
    .unwrap();
    waterfall.draw_pending();
    let text = screen.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].starts_with("users    ◆ GET /users/{id}"), "{text}");
    assert!(lines[3].trim_start().starts_with("· WARN"), "{text}");
    assert!(lines[3].ends_with("•  slow caller"), "{text}");
    assert!(lines[4].starts_with("users    ◆   load_profile"), "{text}");
    assert!(
        lines[5].trim_start().starts_with("· INFO") && lines[5].ends_with("loading profile"),
        "{text}"
    );
    assert!(!text.contains("unsampled"), "{text}");
}

#[cfg(feature = "logs")]
#[test]
fn log_records_past_the_per_trace_limit_are_counted_in_one_line() {
    use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _};
    use opentelemetry::trace::TraceContextExt;

    let (screen, waterfall, _logs, logger) = log_rig();
    let sc = SpanContext::new(
        span(1, 0, "", 0, 0).span_context.trace_id(),
        SpanId::from(1),
        TraceFlags::SAMPLED,
        false,
        TraceState::default(),
    );
    let _attached = opentelemetry::Context::new()
        .with_remote_span_context(sc)
        .attach();
    let extra = 7;
    for i in 0..MAX_TRACE_LOGS + extra {
        let mut record = logger.create_log_record();
        record.set_severity_text("INFO");
        record.set_body(AnyValue::from(format!("record {i}")));
        logger.emit(record);
    }
    block_on(waterfall.export(vec![span(1, 0, "GET /users/{id}", 0, 100)])).unwrap();
    waterfall.draw_pending();
    let text = screen.text();
    let rows = text.lines().filter(|l| l.contains("· INFO")).count();
    assert_eq!(rows, MAX_TRACE_LOGS, "{text}");
    assert!(text.contains("record 0") && text.contains(&format!("record {}", MAX_TRACE_LOGS - 1)));
    assert!(
        !text.contains(&format!("record {MAX_TRACE_LOGS}")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "… {extra} more log records not shown; the waterfall keeps {MAX_TRACE_LOGS} per trace"
        )),
        "{text}"
    );
}
