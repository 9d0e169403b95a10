//! The export runtime: one background thread running a small Tokio runtime that drives
//! every network exporter (OTLP gRPC and HTTP, Zipkin).
//!
//! The SDK's batch span processor and periodic metric reader run exports on their own
//! threads, outside any Tokio runtime, but tonic and reqwest need one. Rather than borrow
//! the application's runtime (which may be single-threaded, blocked in a shutdown, or gone
//! by the time the guard drops), baton keeps its own: exports work from a plain `fn main`,
//! under `#[tokio::main(flavor = "current_thread")]`, and while the application's runtime
//! is shutting down. One runtime is shared by every exporter alive at the same time and
//! stops when the last one is dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use pin_project_lite::pin_project;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::status::{ExportStatus, LastError};

/// A handle on the export thread's runtime. The thread stops when the last handle drops.
#[derive(Debug)]
pub(crate) struct ExportRuntime {
    handle: Handle,
    // Dropping the sender wakes the thread, which then drops its runtime on its own stack
    // (never inside an async context, where Tokio forbids it).
    _stop: oneshot::Sender<()>,
}

impl ExportRuntime {
    /// The runtime shared by the exporters currently alive, started if there is none.
    pub(crate) fn shared() -> std::io::Result<Arc<ExportRuntime>> {
        static CURRENT: Mutex<Weak<ExportRuntime>> = Mutex::new(Weak::new());
        let mut current = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(runtime) = current.upgrade() {
            return Ok(runtime);
        }
        let runtime = Arc::new(Self::start()?);
        *current = Arc::downgrade(&runtime);
        Ok(runtime)
    }

    fn start() -> std::io::Result<ExportRuntime> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("baton-export".into())
            .spawn(move || {
                // The exporters' own `tracing` events (tonic, hyper, reqwest) must not become
                // log records to export: the logs bridge skips suppressed contexts.
                let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
                runtime.block_on(async {
                    let _ = stopped.await;
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(ExportRuntime {
            handle,
            _stop: stop,
        })
    }

    /// Enters the runtime's context, so tonic and reqwest can be built and spawn tasks.
    pub(crate) fn enter(&self) -> tokio::runtime::EnterGuard<'_> {
        self.handle.enter()
    }

    /// `future`, polled with the runtime's context entered: its I/O and timers are driven by
    /// the export thread, whichever thread polls it.
    pub(crate) fn run<F: Future>(&self, future: F) -> InRuntime<F> {
        InRuntime {
            handle: self.handle.clone(),
            future,
        }
    }
}

pin_project! {
    /// A future polled inside the export runtime's context.
    pub(crate) struct InRuntime<F> {
        handle: Handle,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for InRuntime<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _entered = this.handle.enter();
        let _suppressed = opentelemetry::Context::enter_telemetry_suppressed_scope();
        this.future.poll(cx)
    }
}

/// An exporter whose exports run on the export runtime and are abandoned after `timeout`
/// (`OTEL_BSP_EXPORT_TIMEOUT` or `OTEL_METRIC_EXPORT_TIMEOUT`), which the SDK's own batch
/// processor and periodic reader do not enforce.
#[derive(Debug)]
pub(crate) struct OnRuntime<E> {
    inner: E,
    runtime: Arc<ExportRuntime>,
    timeout: Duration,
    status: Option<Arc<ExportStatus>>,
    endpoint: Option<String>,
    detail: LastError,
}

impl<E> OnRuntime<E> {
    /// Failures name `endpoint`, so a warning says which collector failed, and add the
    /// reason `detail` kept, when the exporter's own message leaves it out.
    pub(crate) fn naming(mut self, endpoint: &str, detail: LastError) -> Self {
        self.endpoint = Some(endpoint.to_owned());
        self.detail = detail;
        self
    }

    /// `result`, its failure prefixed with the endpoint, and recorded.
    fn outcome(&self, result: OTelSdkResult) -> OTelSdkResult {
        let detail = self.detail.take();
        let result = match (result, &self.endpoint) {
            (Err(OTelSdkError::InternalFailure(why)), Some(endpoint)) => {
                let why = match detail {
                    Some(d) if !why.contains(&d) => format!("{why}: {d}"),
                    _ => why,
                };
                Err(OTelSdkError::InternalFailure(format!(
                    "export to {endpoint} failed: {why}"
                )))
            }
            (result, _) => result,
        };
        if let Some(status) = &self.status {
            status.record(&result);
        }
        result
    }

    /// `inner` on `runtime`, each export limited to `timeout` and its outcome recorded in
    /// `status`.
    pub(crate) fn new(
        inner: E,
        runtime: Arc<ExportRuntime>,
        timeout: Duration,
        status: Option<Arc<ExportStatus>>,
    ) -> Self {
        OnRuntime {
            inner,
            runtime,
            timeout,
            status,
            endpoint: None,
            detail: LastError::default(),
        }
    }
}

impl<E> OnRuntime<E> {
    /// `export` (made by the inner exporter) run on the runtime, limited to the timeout,
    /// its outcome recorded: every signal's export.
    async fn exported(&self, export: impl Future<Output = OTelSdkResult>) -> OTelSdkResult {
        let result = self
            .runtime
            .run(async move { within(self.timeout, export).await })
            .await;
        self.outcome(result)
    }
}

/// `export`, abandoned with a timeout error after `limit`.
async fn within(limit: Duration, export: impl Future<Output = OTelSdkResult>) -> OTelSdkResult {
    match tokio::time::timeout(limit, export).await {
        Ok(result) => result,
        Err(_) => Err(OTelSdkError::Timeout(limit)),
    }
}

impl<E: SpanExporter> SpanExporter for OnRuntime<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        // The inner export is created inside the runtime's context too (`exported` polls
        // it there): some clients start timers or connections as soon as they are polled.
        self.exported(async move { self.inner.export(batch).await })
            .await
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}

impl<E: PushMetricExporter> PushMetricExporter for OnRuntime<E> {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        self.exported(async move { self.inner.export(metrics).await })
            .await
    }

    fn force_flush(&self) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}

#[cfg(feature = "logs")]
impl<E: opentelemetry_sdk::logs::LogExporter> opentelemetry_sdk::logs::LogExporter
    for OnRuntime<E>
{
    async fn export(&self, batch: opentelemetry_sdk::logs::LogBatch<'_>) -> OTelSdkResult {
        self.exported(async move { self.inner.export(batch).await })
            .await
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &opentelemetry_sdk::Resource) {
        self.inner.set_resource(resource);
    }
}
