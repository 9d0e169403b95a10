//! The terminal waterfall: each trace drawn once it completes, for when no backend is
//! configured. This is what a new user sees first.
//!
//! ```text
//! trace 4bf92f3577b34da6a3ce929d0e0e4736  GET /profile  41.9 ms  5 spans · 3 errors
//! service  span                                0                20.9 ms         41.9 ms
//! gateway  GET /profile                        ████████████████████████████████████████    41.9 ms  ✗ error.type=500 http.response.status_code=500
//! auth       POST /verify                      █████                                        4.1 ms
//! users      GET /users/{id}                        ██████████████████████████████████     35.0 ms  ✗ error.type=500 http.response.status_code=500
//! db           SELECT users                              ██████████                        10.0 ms
//! db           SELECT orders                                        ███████████            12.0 ms  ✗ error.type=500 http.response.status_code=500
//! ```
//!
//! Spans are grouped by trace. A trace is drawn shortly after its root span (the one with no
//! parent) has ended, or, for a trace that started elsewhere, when no span of it has arrived for a
//! short quiet period; whatever is left is drawn at shutdown. Waiting is bounded: a trace that
//! keeps growing without a root (a probe sending the same `traceparent` every few hundred
//! milliseconds, say) is drawn in parts, at [`MAX_TRACE_SPANS`] spans or after
//! [`MAX_WAIT`], and at most [`MAX_PENDING_SPANS`] spans wait in all (past that the oldest
//! traces are drawn at once). Clones of one
//! [`WaterfallExporter`] share the buffer, so several services in one process (each with
//! its own tracer provider and `service.name`) are drawn in one picture.

mod critical;
#[cfg(feature = "logs")]
mod logs;
mod map;
mod render;
mod sketch;
mod style;

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

#[cfg(feature = "logs")]
pub use logs::{MAX_TRACE_LOGS, WaterfallLogExporter};
use map::ServiceMap;
pub use map::{MAX_EDGES, MAX_SERVICES};
pub use render::MAX_ROWS;
use render::{ServiceSpan, render};
use style::Style;

/// How long a trace without a finished root waits for more spans before it is drawn.
const QUIET: Duration = Duration::from_millis(750);
/// How long after its root a trace waits for spans other services' processors still hold.
const GRACE: Duration = Duration::from_millis(200);
/// The longest a trace waits to be drawn, however often its spans keep arriving.
pub const MAX_WAIT: Duration = Duration::from_secs(5);
/// The most spans one trace collects before it is drawn (the rest in a later part).
pub const MAX_TRACE_SPANS: usize = 1000;
/// The most spans waiting to be drawn, all traces together.
pub const MAX_PENDING_SPANS: usize = 10_000;

struct Pending {
    spans: Vec<ServiceSpan>,
    /// The trace's log records, drawn under their spans.
    logs: Vec<render::LogMark>,
    /// Records past [`MAX_TRACE_LOGS`].
    logs_left_out: usize,
    first_seen: Instant,
    last_seen: Instant,
    root_seen: Option<Instant>,
}

impl Pending {
    /// Spans and log records held.
    fn size(&self) -> usize {
        self.spans.len() + self.logs.len()
    }

    fn new(now: Instant) -> Pending {
        Pending {
            spans: Vec::new(),
            logs: Vec::new(),
            logs_left_out: 0,
            first_seen: now,
            last_seen: now,
            root_seen: None,
        }
    }

    fn ready(&self, now: Instant) -> bool {
        // Log records arrive before their spans end: they wait for them.
        if self.spans.is_empty() {
            return now.duration_since(self.first_seen) >= MAX_WAIT;
        }
        self.root_seen
            .is_some_and(|t| now.duration_since(t) >= GRACE)
            || now.duration_since(self.last_seen) >= QUIET
            || now.duration_since(self.first_seen) >= MAX_WAIT
            || self.spans.len() >= MAX_TRACE_SPANS
    }
}

/// How often a long-running program draws the service map, by default.
pub const MAP_EVERY: Duration = Duration::from_secs(60);

/// The service map and when it was last drawn.
struct MapState {
    map: ServiceMap,
    every: Option<Duration>,
    drawn: Instant,
    /// Traces added since the map was last drawn.
    new: u64,
}

struct Shared {
    out: Mutex<Box<dyn Write + Send>>,
    style: Style,
    traces: Mutex<HashMap<TraceId, Pending>>,
    map: Mutex<MapState>,
    ticker: std::sync::Once,
    /// Clones attached to a tracer provider, and how many of those have shut down: the
    /// last one to shut down draws what is left.
    attached: AtomicUsize,
    shut_down: AtomicUsize,
}

/// Draws each trace in the terminal once it completes. Clones share one buffer.
#[derive(Clone)]
pub struct WaterfallExporter {
    shared: Arc<Shared>,
    service: Option<String>,
}

impl std::fmt::Debug for WaterfallExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaterfallExporter")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl WaterfallExporter {
    /// Draws to standard output: on a terminal, in colour (unless `NO_COLOR` is set) and as
    /// wide as `COLUMNS` says; in a pipe or a file, plain text of a fixed width.
    pub fn stdout() -> Self {
        let style = if std::io::stdout().is_terminal() {
            let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
            Style::terminal(color, columns)
        } else {
            Style::plain()
        };
        Self::with_style(Box::new(std::io::stdout()), style)
    }

    /// Draws to `out`, without colour (for files, pipes and tests).
    ///
    /// ```
    /// use baton_sdk::waterfall::WaterfallExporter;
    /// use opentelemetry_sdk::trace::SdkTracerProvider;
    ///
    /// let provider = SdkTracerProvider::builder().with_simple_exporter(WaterfallExporter::new(std::io::sink())).build();
    /// ```
    pub fn new(out: impl Write + Send + 'static) -> Self {
        Self::with_style(Box::new(out), Style::plain())
    }

    /// Draws the service map every `every` while traces keep coming (`None`: only at
    /// shutdown). The default is [`MAP_EVERY`]. Applies to every clone.
    pub fn map_every(self, every: Option<Duration>) -> Self {
        lock(&self.shared.map).every = every;
        self
    }

    fn with_style(out: Box<dyn Write + Send>, style: Style) -> Self {
        let shared = Shared {
            out: Mutex::new(out),
            style,
            traces: Mutex::new(HashMap::new()),
            map: Mutex::new(MapState {
                map: ServiceMap::default(),
                every: Some(MAP_EVERY),
                drawn: Instant::now(),
                new: 0,
            }),
            ticker: std::sync::Once::new(),
            attached: AtomicUsize::new(0),
            shut_down: AtomicUsize::new(0),
        };
        WaterfallExporter {
            shared: Arc::new(shared),
            service: None,
        }
    }

    /// This clone labels its spans with `service` (otherwise the provider's `service.name`).
    pub fn for_service(&self, service: impl Into<String>) -> Self {
        WaterfallExporter {
            shared: self.shared.clone(),
            service: Some(service.into()),
        }
    }

    /// An exporter for the logs signal that draws each record of a sampled trace under its
    /// span in this waterfall (what [`init`](crate::init) installs for
    /// `OTEL_LOGS_EXPORTER=console`, the default when traces are drawn here).
    ///
    /// ```text
    /// users      GET /users/{id}                        ██████████████████████████        35.0 ms
    ///              · INFO                                  • loading profile user.id=7
    /// ```
    #[cfg(feature = "logs")]
    pub fn log_exporter(&self) -> WaterfallLogExporter {
        WaterfallLogExporter {
            shared: self.shared.clone(),
        }
    }

    /// Draws every trace still waiting, complete or not, then the service map.
    pub fn draw_pending(&self) {
        let drained: Vec<Pending> = lock(&self.shared.traces).drain().map(|(_, p)| p).collect();
        self.shared.draw(drained);
        self.shared.draw_map();
    }

    /// Starts the thread that draws quiet traces; it ends when the last clone is dropped.
    fn start_ticker(&self) {
        let weak: Weak<Shared> = Arc::downgrade(&self.shared);
        self.shared.ticker.call_once(|| {
            let spawned = std::thread::Builder::new()
                .name("baton-waterfall".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(QUIET / 3);
                        let Some(shared) = weak.upgrade() else { return };
                        let now = Instant::now();
                        shared.draw_ready(now);
                        shared.draw_map_if_due(now);
                    }
                });
            // Without the thread, quiet traces are drawn on the next export or at shutdown.
            drop(spawned);
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The last clone is gone: nothing more can arrive.
        let rest: Vec<Pending> = lock(&self.traces).drain().map(|(_, p)| p).collect();
        self.draw(rest);
        self.draw_map();
    }
}

impl Shared {
    /// Draws the traces whose root has ended, that have been quiet or waited long enough,
    /// or that have grown to their bound; then, while more than [`MAX_PENDING_SPANS`] spans
    /// wait, the oldest traces.
    fn draw_ready(&self, now: Instant) {
        let ready: Vec<Pending> = {
            let mut traces = lock(&self.traces);
            let ids: Vec<TraceId> = traces
                .iter()
                .filter(|(_, p)| p.ready(now))
                .map(|(id, _)| *id)
                .collect();
            let mut ready: Vec<Pending> = ids
                .into_iter()
                .filter_map(|id| traces.remove(&id))
                .collect();
            let mut waiting: usize = traces.values().map(Pending::size).sum();
            if waiting > MAX_PENDING_SPANS {
                let mut by_age: Vec<(Instant, TraceId)> =
                    traces.iter().map(|(id, p)| (p.first_seen, *id)).collect();
                by_age.sort_unstable_by_key(|(seen, _)| *seen);
                for (_, id) in by_age {
                    if waiting <= MAX_PENDING_SPANS {
                        break;
                    }
                    if let Some(p) = traces.remove(&id) {
                        waiting -= p.size();
                        ready.push(p);
                    }
                }
            }
            ready
        };
        self.draw(ready);
    }

    fn draw(&self, mut traces: Vec<Pending>) {
        if traces.is_empty() {
            return;
        }
        // Oldest trace first, as they happened.
        traces.retain(|p| !p.spans.is_empty());
        traces.sort_by_key(|p| p.spans.iter().map(|s| s.span.start_time).min());
        let mut text = String::new();
        {
            let mut map = lock(&self.map);
            for pending in &traces {
                map.map.add_trace(&pending.spans);
                map.new += 1;
            }
        }
        for pending in traces {
            text.push_str(&render(
                &pending.spans,
                &pending.logs,
                pending.logs_left_out,
                self.style,
            ));
            text.push('\n');
        }
        self.write(&text);
    }

    fn write(&self, text: &str) {
        let mut out = lock(&self.out);
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// Draws the service map if traces were added since it was last drawn.
    fn draw_map(&self) {
        let text = {
            let mut map = lock(&self.map);
            if map.new == 0 || map.map.is_empty() {
                return;
            }
            map.new = 0;
            map.drawn = Instant::now();
            map.map.render(self.style)
        };
        self.write(&format!("{text}\n"));
    }

    /// Draws the service map when its interval has passed and traces were added.
    fn draw_map_if_due(&self, now: Instant) {
        let due = {
            let map = lock(&self.map);
            map.every
                .is_some_and(|every| now.duration_since(map.drawn) >= every)
        };
        if due {
            self.draw_map();
        }
    }
}

impl SpanExporter for WaterfallExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let now = Instant::now();
        let service = self.service.clone().unwrap_or_else(|| "unknown".to_owned());
        {
            let mut traces = lock(&self.shared.traces);
            for span in batch {
                let entry = traces
                    .entry(span.span_context.trace_id())
                    .or_insert_with(|| Pending::new(now));
                entry.last_seen = now;
                if span.parent_span_id == SpanId::INVALID {
                    entry.root_seen = Some(now);
                }
                entry.spans.push(ServiceSpan {
                    service: service.clone(),
                    span,
                });
            }
        }
        self.start_ticker();
        self.shared.draw_ready(now);
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        // Several services may share this picture: until the last of them shuts down, other
        // services' spans of a trace may still be on their way, so only finished traces are
        // drawn; the last one draws everything.
        let shut = self.shared.shut_down.fetch_add(1, Ordering::SeqCst) + 1;
        if shut >= self.shared.attached.load(Ordering::SeqCst) {
            self.draw_pending();
        } else {
            self.shared.draw_ready(Instant::now());
        }
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.shared.draw_ready(Instant::now());
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        // Called once when a tracer provider takes this clone.
        self.shared.attached.fetch_add(1, Ordering::SeqCst);
        if self.service.is_none() {
            self.service = resource
                .get(&opentelemetry::Key::from_static_str("service.name"))
                .map(|v| v.to_string());
        }
    }
}

#[cfg(test)]
mod tests;
