use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter, SpanProcessor};

use super::worker::{Control, Worker};
use super::*;

/// How the test exporter answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Answer {
    #[default]
    Ok,
    /// Blocks until [`Recorder::open`], like a collector that stalls.
    Gate,
    /// Never answers.
    Hang,
}

#[derive(Clone, Debug, Default)]
struct Recorder {
    answer: Answer,
    state: Arc<(Mutex<State>, Condvar)>,
}

#[derive(Debug, Default)]
struct State {
    batches: Vec<Vec<String>>,
    resource: Option<Resource>,
    open: bool,
    shut_down: bool,
}

impl Recorder {
    fn answering(answer: Answer) -> Self {
        Recorder {
            answer,
            ..Recorder::default()
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.0.lock().unwrap()
    }

    fn open(&self) {
        self.state().open = true;
        self.state.1.notify_all();
    }

    fn wait_for_batches(&self, n: usize) {
        let state = self.state();
        let (state, _) = self
            .state
            .1
            .wait_timeout_while(state, Duration::from_secs(10), |s| s.batches.len() < n)
            .unwrap();
        assert!(state.batches.len() >= n, "{:?}", state.batches);
    }

    fn sizes(&self) -> Vec<usize> {
        self.state().batches.iter().map(Vec::len).collect()
    }
}

impl SpanExporter for Recorder {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        {
            let mut state = self.state();
            state
                .batches
                .push(batch.iter().map(|s| s.name.to_string()).collect());
            self.state.1.notify_all();
            if self.answer == Answer::Gate {
                let _open = self
                    .state
                    .1
                    .wait_timeout_while(state, Duration::from_secs(10), |s| !s.open)
                    .unwrap();
            }
        }
        if self.answer == Answer::Hang {
            std::future::pending::<()>().await;
        }
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.state().shut_down = true;
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.state().resource = Some(resource.clone());
    }
}

fn lines() -> (DropWarning, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let warning = DropWarning::new(
        4,
        Duration::from_secs(3600),
        Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
    );
    (warning, lines)
}

fn provider(processor: BatchProcessor) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_resource(
            Resource::builder_empty()
                .with_attribute(KeyValue::new("service.name", "batch-test"))
                .build(),
        )
        .with_span_processor(processor)
        .build()
}

fn end_spans(provider: &SdkTracerProvider, name: &'static str, n: usize) {
    let tracer = provider.tracer("t");
    for _ in 0..n {
        tracer.start(name).end();
    }
}

#[test]
fn exports_full_batches_at_once_and_the_rest_on_the_timer() {
    let exporter = Recorder::default();
    let options = BatchOptions::default()
        .max_export_batch_size(3)
        .scheduled_delay(Duration::from_millis(100));
    let processor = BatchProcessor::new(exporter.clone(), options);
    let stats = processor.stats();
    let provider = provider(processor);
    end_spans(&provider, "s", 7);
    exporter.wait_for_batches(3);
    assert_eq!(exporter.sizes(), [3, 3, 1]);
    assert_eq!(
        (stats.exported(), stats.queued(), stats.dropped()),
        (7, 0, 0)
    );
    let resource = exporter
        .state()
        .resource
        .clone()
        .expect("resource handed over");
    assert_eq!(
        resource
            .get(&opentelemetry::Key::from_static_str("service.name"))
            .map(|v| v.to_string()),
        Some("batch-test".into())
    );
    provider.shutdown().unwrap();
    assert!(exporter.state().shut_down);
}

#[test]
fn a_full_queue_drops_counts_and_warns_without_waiting() {
    let exporter = Recorder::answering(Answer::Gate);
    let (warning, warned) = lines();
    let options = BatchOptions::default()
        .max_queue_size(4)
        .max_export_batch_size(4)
        .scheduled_delay(Duration::from_millis(10));
    let processor = BatchProcessor::with_warning(exporter.clone(), options, warning);
    let stats = processor.stats();
    let provider = provider(processor);
    end_spans(&provider, "first", 1);
    exporter.wait_for_batches(1);
    // The exporter is stuck: four spans fit in the queue, the other 996 are dropped at once.
    let start = Instant::now();
    end_spans(&provider, "s", 1000);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(stats.dropped_queue_full(), 996);
    assert_eq!(stats.queued(), 4);
    exporter.open();
    provider.shutdown().unwrap();
    assert_eq!(exporter.sizes(), [1, 4]);
    assert_eq!((stats.exported(), stats.dropped()), (5, 996));
    let warned = warned.lock().unwrap();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].starts_with(
            "996 spans dropped because the export queue (OTEL_BSP_MAX_QUEUE_SIZE=4) was full"
        ),
        "{}",
        warned[0]
    );
}

/// An exporter that takes a while per batch, like a collector that keeps up only partly.
#[derive(Clone, Debug)]
struct Slow(Duration);

impl SpanExporter for Slow {
    async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
        std::thread::sleep(self.0);
        Ok(())
    }
}

#[test]
fn a_sustained_overload_is_reported_while_it_lasts_and_flush_is_answered() {
    let lines_seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines_seen.clone();
    let warning = DropWarning::new(
        4,
        Duration::from_millis(50),
        Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
    );
    let options = BatchOptions::default()
        .max_queue_size(8)
        .max_export_batch_size(4)
        .scheduled_delay(Duration::from_secs(3600));
    let processor = BatchProcessor::with_warning(Slow(Duration::from_millis(2)), options, warning);
    let stats = processor.stats();
    let provider = provider(processor);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let producer = {
        let provider = provider.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                end_spans(&provider, "s", 10);
            }
        })
    };
    // While spans keep coming faster than they are exported, drops are reported (the
    // timer is an hour away, so only the batch loop can have printed them) and a flush
    // is answered.
    let start = Instant::now();
    while lines_seen.lock().unwrap().len() < 2 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let flushed = provider.force_flush();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    producer.join().unwrap();
    assert!(
        lines_seen.lock().unwrap().len() >= 2,
        "no warning while overloaded: {:?}",
        lines_seen.lock().unwrap()
    );
    flushed.unwrap();
    assert!(stats.dropped_queue_full() > 0);
    provider.shutdown().unwrap();
}

#[test]
fn shutdown_answers_by_its_deadline_when_the_exporter_hangs() {
    let exporter = Recorder::answering(Answer::Hang);
    let processor = BatchProcessor::new(exporter.clone(), BatchOptions::default());
    let stats = processor.stats();
    let provider = provider(processor);
    end_spans(&provider, "s", 10);
    let start = Instant::now();
    let result = provider.shutdown_with_timeout(Duration::from_millis(300));
    let took = start.elapsed();
    // The export was abandoned at the deadline (the provider wraps its processors'
    // errors); the stats know it was a timeout.
    assert!(format!("{result:?}").contains("Timeout("), "{result:?}");
    assert!(stats.shutdown_timed_out());
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_millis(450),
        "{took:?}"
    );
    // The batch was handed over (and is stuck in the exporter), nothing is left queued.
    assert_eq!((stats.exported(), stats.queued()), (10, 0));
}

/// Spans left in the queue when the shutdown deadline passes are lost to the deadline, not
/// "ended after shutdown": they ended in time. Driven on the export thread's own loop, with
/// five spans queued and the shutdown request waiting, so the first export starts under
/// shutdown's deadline.
#[test]
fn spans_left_at_the_shutdown_deadline_are_counted_as_such() {
    let (span_tx, spans) = std::sync::mpsc::sync_channel(8);
    let (control_tx, control) = std::sync::mpsc::channel();
    let stats = Arc::new(QueueStats::new(8));
    for _ in 0..5 {
        stats.enqueue();
        span_tx.send(span_data("in time")).unwrap();
    }
    let (reply, answer) = std::sync::mpsc::channel();
    let until = Instant::now() + Duration::from_millis(200);
    control_tx
        .send(Control::Shutdown(reply, Some(until)))
        .unwrap();
    let (warning, _) = lines();
    let worker = Worker {
        exporter: super::exports::SpanExports(Recorder::answering(Answer::Hang)),
        spans,
        control,
        stats: stats.clone(),
        batch_size: 1,
        delay: Duration::from_secs(3600),
        export_timeout: Duration::from_secs(30),
        max_export_bytes: DEFAULT_MAX_EXPORT_BYTES,
        max_value_length: None,
        carry: None,
        warning,
    };
    std::thread::spawn(move || worker.run());
    let result = answer.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(result.is_err(), "{result:?}");
    // One batch is stuck in the exporter; the four behind it were never exported.
    assert_eq!(stats.exported(), 1, "{stats:?}");
    assert_eq!(stats.dropped_at_shutdown_deadline(), 4, "{stats:?}");
    assert_eq!(stats.dropped_after_shutdown(), 0, "{stats:?}");
    assert_eq!((stats.dropped(), stats.queued()), (4, 0));
    assert_eq!(
        stats.loss_report().unwrap(),
        "4 spans still queued when shutdown gave up, lost"
    );
}

/// A sampled span as the SDK hands it to processors.
fn span_data(name: &'static str) -> SpanData {
    use opentelemetry::trace::{
        SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
    };
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(1),
            SpanId::from(2),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: name.into(),
        start_time: std::time::SystemTime::now(),
        end_time: std::time::SystemTime::now(),
        attributes: Vec::new(),
        dropped_attributes_count: 0,
        events: Default::default(),
        links: Default::default(),
        status: Status::Unset,
        instrumentation_scope: Default::default(),
    }
}

#[test]
fn spans_ending_after_shutdown_are_counted() {
    let exporter = Recorder::default();
    let processor = BatchProcessor::new(exporter.clone(), BatchOptions::default());
    let stats = processor.stats();
    processor.on_end(span_data("a"));
    processor.on_end(span_data("b"));
    processor.shutdown().unwrap();
    processor.on_end(span_data("late"));
    assert!(matches!(
        processor.shutdown(),
        Err(OTelSdkError::AlreadyShutdown)
    ));
    assert_eq!(exporter.state().batches, [["a", "b"]]);
    assert_eq!(stats.dropped_after_shutdown(), 1);
    assert_eq!(
        stats.loss_report().unwrap(),
        "1 span dropped: ended after shutdown"
    );
}

#[test]
fn force_flush_exports_what_is_queued() {
    let exporter = Recorder::default();
    let processor = BatchProcessor::new(exporter.clone(), BatchOptions::default());
    let provider = provider(processor);
    end_spans(&provider, "s", 5);
    provider.force_flush().unwrap();
    assert_eq!(exporter.sizes(), [5]);
    provider.shutdown().unwrap();
}

#[test]
fn unsampled_spans_are_not_queued() {
    // A span that records but is not sampled (a `RecordOnly` decision) still reaches
    // `on_end`; only sampled spans are exported.
    let exporter = Recorder::default();
    let processor = BatchProcessor::new(exporter.clone(), BatchOptions::default());
    let stats = processor.stats();
    let mut unsampled = span_data("recorded, not sampled");
    unsampled.span_context = opentelemetry::trace::SpanContext::new(
        unsampled.span_context.trace_id(),
        unsampled.span_context.span_id(),
        opentelemetry::trace::TraceFlags::default(),
        false,
        Default::default(),
    );
    processor.on_end(unsampled);
    processor.on_end(span_data("sampled"));
    processor.shutdown().unwrap();
    assert_eq!(exporter.state().batches, [["sampled"]]);
    assert_eq!((stats.exported(), stats.dropped()), (1, 0));
}

#[test]
fn options_keep_the_batch_within_the_queue() {
    let o = BatchOptions::default().max_queue_size(8);
    assert_eq!(o.max_export_batch_size, 8);
    let o = o.max_export_batch_size(100);
    assert_eq!(o.max_export_batch_size, 8);
    let o = BatchOptions::default()
        .max_queue_size(0)
        .max_export_batch_size(0);
    assert_eq!((o.max_queue_size, o.max_export_batch_size), (1, 1));
}

/// Panics on its first export, in `force_flush` once, and records the later batches.
#[derive(Debug, Default)]
struct PanicsOnce {
    calls: std::sync::atomic::AtomicUsize,
    flushes: std::sync::atomic::AtomicUsize,
    names: Arc<Mutex<Vec<String>>>,
}

impl SpanExporter for PanicsOnce {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        if self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            panic!("exporter bug");
        }
        let mut names = self.names.lock().unwrap();
        names.extend(batch.iter().map(|s| s.name.to_string()));
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        if self
            .flushes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            == 0
        {
            panic!("flush bug");
        }
        Ok(())
    }
}

#[test]
fn a_panicking_exporter_loses_its_batch_and_export_goes_on() {
    let options = BatchOptions::default()
        .max_export_batch_size(1)
        .scheduled_delay(Duration::from_millis(10));
    let exporter = PanicsOnce::default();
    let names = exporter.names.clone();
    let (warning, lines) = lines();
    let processor = BatchProcessor::with_warning(exporter, options, warning);
    let stats = processor.stats();
    processor.on_end(span_data("lost in the panic"));
    processor.on_end(span_data("after"));
    let start = Instant::now();
    while stats.exported() < 2 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!((stats.exported(), stats.failed()), (2, 1), "{stats:?}");
    assert_eq!(
        stats.dropped(),
        0,
        "later spans are not 'queue full': {stats:?}"
    );
    assert_eq!(*names.lock().unwrap(), ["after"]);
    let flushed = processor.force_flush().unwrap_err().to_string();
    assert!(
        flushed.contains("the exporter panicked in force_flush: flush bug"),
        "{flushed}"
    );
    processor.on_end(span_data("still exported"));
    processor.force_flush().unwrap();
    assert_eq!(*names.lock().unwrap(), ["after", "still exported"]);
    assert_eq!(
        *lines.lock().unwrap(),
        [
            "the span exporter panicked in export (exporter bug); 1 time since the last \
          warning, 1 in all. The spans it held are lost and counted as failed; export goes on \
          with the next batch"
        ],
        "the second panic, within the interval, is counted, not printed"
    );
    processor.shutdown().unwrap();
}

/// Hangs on its first export, answers the later ones.
#[derive(Debug, Default)]
struct HangsOnce {
    calls: std::sync::atomic::AtomicUsize,
}

impl SpanExporter for HangsOnce {
    async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
        if self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

/// `OTEL_BSP_EXPORT_TIMEOUT` is the processor's to enforce, whatever the exporter: a
/// custom exporter that never answers is abandoned, the failure is recorded, and the
/// next batch goes out.
#[test]
fn a_hanging_export_is_abandoned_after_the_export_timeout() {
    let options = BatchOptions::default()
        .max_export_batch_size(1)
        .scheduled_delay(Duration::from_millis(10))
        .export_timeout(Duration::from_millis(100));
    let processor = BatchProcessor::new(HangsOnce::default(), options);
    let stats = processor.stats();
    processor.on_end(span_data("hangs"));
    processor.on_end(span_data("next"));
    let start = Instant::now();
    while stats.exported() < 2 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(stats.exported(), 2, "the second batch went out");
    assert_eq!(stats.failed(), 1);
    assert_eq!(
        stats.failure_report().unwrap(),
        "1 export failed since start, their data is lost (the last failure: no answer within \
         100ms); exports succeeded again afterwards"
    );
    processor.shutdown().unwrap();
}

fn with_attribute(name: &'static str, bytes: usize) -> SpanData {
    let mut span = span_data(name);
    span.attributes
        .push(KeyValue::new("blob", "x".repeat(bytes)));
    span
}

/// A batch is cut where the next span would pass the byte bound: the huge spans go out in
/// exports of their own and the normal spans are not held hostage by them.
#[test]
fn exports_are_bounded_in_bytes() {
    let exporter = Recorder::default();
    let options = BatchOptions::default().max_export_bytes(20_000);
    let processor = BatchProcessor::new(exporter.clone(), options);
    processor.on_end(span_data("a"));
    processor.on_end(with_attribute("huge1", 15_000));
    processor.on_end(with_attribute("huge2", 15_000));
    processor.on_end(span_data("b"));
    processor.on_end(with_attribute("alone", 50_000));
    processor.on_end(span_data("c"));
    processor.force_flush().unwrap();
    assert_eq!(
        exporter.state().batches,
        [
            vec!["a", "huge1"],
            vec!["huge2", "b"],
            vec!["alone"],
            vec!["c"]
        ],
        "a span larger than the bound goes alone"
    );
    processor.shutdown().unwrap();
}

#[derive(Clone, Debug, Default)]
struct Lengths(Arc<Mutex<Vec<usize>>>);

impl SpanExporter for Lengths {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut lengths = self.0.lock().unwrap();
        for span in batch {
            for kv in &span.attributes {
                lengths.push(kv.value.as_str().len());
            }
        }
        Ok(())
    }
}

#[test]
fn string_values_are_cut_to_the_value_length_limit() {
    let exporter = Lengths::default();
    let options = BatchOptions::default().attribute_value_length_limit(Some(100));
    let processor = BatchProcessor::new(exporter.clone(), options);
    processor.on_end(with_attribute("long", 5_000));
    processor.on_end(with_attribute("short", 40));
    processor.force_flush().unwrap();
    assert_eq!(*exporter.0.lock().unwrap(), [100, 40]);
    processor.shutdown().unwrap();
}
