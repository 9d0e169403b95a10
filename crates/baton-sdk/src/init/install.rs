//! Builds the providers a [`Plan`] describes and installs them.

use std::sync::Arc;
#[cfg(feature = "waterfall")]
use std::time::Duration;

use opentelemetry::global;
use opentelemetry_sdk::metrics::{MeterProviderBuilder, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, TracerProviderBuilder};

use super::guard::Guard;
#[cfg(feature = "logs")]
use super::plan::LogTarget;
use super::plan::{MetricTarget, Plan, TraceTarget};
use super::processor::Discard;
use super::propagator::GlobalPropagator;
use super::warn;
use crate::batch::{self, BatchOptions, BatchProcessor, QueueStats};
use crate::env::ReaderSettings;
use crate::error::InitError;
use crate::exporter::ConsoleMetricExporter;
#[cfg(feature = "zipkin")]
use crate::exporter::ZipkinExporter;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
use crate::exporter::runtime::{ExportRuntime, OnRuntime};
use crate::exporter::status::ExportStatus;
use crate::sampler::AdaptiveSampler;

/// The batch delay for the terminal when `OTEL_BSP_SCHEDULE_DELAY` is unset: a trace should
/// appear as soon as it ends, not five seconds later.
#[cfg(feature = "waterfall")]
const CONSOLE_DELAY: Duration = Duration::from_millis(100);

/// The batch log record processor's delay when `OTEL_BLRP_SCHEDULE_DELAY` is unset: the
/// specification's 1 s (the span processor's is 5 s).
#[cfg(feature = "logs")]
const LOG_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The export runtime, started by the first network exporter that needs it.
#[derive(Default)]
struct Runtime {
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
    shared: Option<Arc<ExportRuntime>>,
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
impl Runtime {
    fn get(&mut self) -> Result<Arc<ExportRuntime>, InitError> {
        if let Some(rt) = &self.shared {
            return Ok(rt.clone());
        }
        let rt = ExportRuntime::shared().map_err(InitError::Runtime)?;
        self.shared = Some(rt.clone());
        Ok(rt)
    }
}

pub(crate) fn install(plan: Plan) -> Result<Guard, InitError> {
    warn::print_once(&plan.warnings);
    let mut runtime = Runtime::default();
    let metrics_status = Arc::new(ExportStatus::default());

    let mut tracing = SdkTracerProvider::builder()
        .with_resource(plan.resource.clone())
        .with_span_limits(plan.span_limits)
        .with_sampler(plan.sampler);
    for processor in plan.processors {
        tracing = tracing.with_span_processor(processor);
    }
    let mut exports = Vec::new();
    for target in plan.traces {
        exports.push(trace_processor(target, plan.batch, &mut runtime)?);
    }
    let queues: Vec<Arc<QueueStats>> = exports.iter().map(BatchProcessor::stats).collect();
    let tracer_provider = with_exports(tracing, plan.adaptive, exports).build();

    let mut metering = SdkMeterProvider::builder().with_resource(plan.resource.clone());
    if let Some(reader) = plan.reader {
        for target in plan.metrics {
            metering = with_reader(metering, target, reader, &mut runtime, &metrics_status)?;
        }
    }
    let meter_provider = metering.build();
    batch::register_metrics(&meter_provider, batch::kind::SPANS, &queues);

    #[cfg(feature = "logs")]
    let (logger_provider, log_queues, logs) = {
        let (logger_provider, log_queues) = logger_provider(
            plan.logs.targets,
            plan.logs.batch,
            &plan.resource,
            &mut runtime,
        )?;
        batch::register_metrics(&meter_provider, batch::kind::LOGS, &log_queues);
        let setup = crate::logs::Setup {
            filter: plan.logs.filter,
            format: plan.logs.format,
            sink: plan.logs.sink,
            tracer_provider: tracer_provider.clone(),
            value_length: plan.logs.value_length,
            logger: logger_provider.as_ref().map(|p| {
                use opentelemetry::logs::LoggerProvider as _;
                p.logger("baton")
            }),
        };
        (logger_provider, log_queues, setup)
    };
    #[cfg(feature = "logs")]
    let mut warnings = plan.warnings;
    #[cfg(not(feature = "logs"))]
    let warnings = plan.warnings;
    #[cfg(feature = "logs")]
    if plan.install_global
        && plan.logs.subscriber
        && let Some(warning) = crate::logs::subscriber::install(&logs)
    {
        warn::print_once(&[warning.to_owned()]);
        warnings.push(warning.to_owned());
    }

    if plan.install_global {
        // Withdrawn while the provider is replaced: a layer taking the global tracer in
        // between keeps it undeclared (it asks the sampler), never declared wrongly.
        baton_core::exchange::declare_global_sampler_parent_based(false);
        global::set_tracer_provider(tracer_provider.clone());
        // The global tracer baton's layers use by default is this provider's, whose ids come
        // from the SDK's random generator: W3C Level 2's random-trace-id holds for the roots
        // they start.
        baton_core::propagation::set_local_trace_ids_random(true);
        // Requests under an unsampled caller skip the span the sampler would drop.
        baton_core::exchange::declare_global_sampler_parent_based(plan.sampler_parent_based);
        global::set_meter_provider(meter_provider.clone());
        global::set_text_map_propagator(GlobalPropagator(plan.propagator.clone()));
    }
    Ok(Guard {
        tracer_provider,
        meter_provider,
        propagator: plan.propagator,
        deadline: plan.deadline,
        warnings,
        disabled: plan.disabled,
        metrics_status,
        span_queues: queues,
        #[cfg(feature = "logs")]
        logger_provider,
        #[cfg(feature = "logs")]
        log_queues,
        #[cfg(feature = "logs")]
        logs,
        done: false,
    })
}

/// The logger provider with a batch processor per log target, and their counters; `None`
/// without targets.
#[cfg(feature = "logs")]
#[cfg_attr(
    not(any(feature = "otlp-grpc", feature = "otlp-http", feature = "waterfall")),
    allow(unreachable_code, unused_imports, unused_variables, unused_mut)
)]
fn logger_provider(
    targets: Vec<LogTarget>,
    batch: BatchOptions,
    resource: &opentelemetry_sdk::Resource,
    runtime: &mut Runtime,
) -> Result<
    (
        Option<opentelemetry_sdk::logs::SdkLoggerProvider>,
        Vec<Arc<QueueStats>>,
    ),
    InitError,
> {
    use crate::batch::LogBatchProcessor;
    use opentelemetry_sdk::logs::SdkLoggerProvider;
    #[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
    let _ = runtime;
    if targets.is_empty() {
        return Ok((None, Vec::new()));
    }
    let mut provider = SdkLoggerProvider::builder().with_resource(resource.clone());
    let mut queues = Vec::new();
    for target in targets {
        let processor = match target {
            #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
            LogTarget::Otlp(settings) => {
                let rt = runtime.get()?;
                let (exporter, detail) = settings.log_exporter(&rt).map_err(|e| otlp_error(&e))?;
                let exporter = OnRuntime::new(exporter, rt, batch.timeout(), None)
                    .naming(&settings.endpoint, detail);
                LogBatchProcessor::new(exporter, batch.or_scheduled_delay(LOG_DELAY))
            }
            #[cfg(feature = "waterfall")]
            LogTarget::Waterfall(waterfall) => LogBatchProcessor::new(
                waterfall.log_exporter(),
                batch.or_scheduled_delay(CONSOLE_DELAY),
            ),
            LogTarget::Custom(factory) => factory(batch.or_scheduled_delay(LOG_DELAY)),
        };
        queues.push(processor.stats());
        provider = provider.with_log_processor(processor);
    }
    Ok((Some(provider.build()), queues))
}

/// The batch processor in front of one trace target.
fn trace_processor(
    target: TraceTarget,
    batch: BatchOptions,
    runtime: &mut Runtime,
) -> Result<BatchProcessor, InitError> {
    #[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin")))]
    let _ = runtime;
    Ok(match target {
        #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
        TraceTarget::Otlp(settings) => {
            let rt = runtime.get()?;
            let (exporter, detail) = settings.span_exporter(&rt).map_err(|e| otlp_error(&e))?;
            let exporter = OnRuntime::new(exporter, rt, batch.timeout(), None)
                .naming(&settings.endpoint, detail);
            BatchProcessor::new(exporter, batch)
        }
        #[cfg(feature = "zipkin")]
        TraceTarget::Zipkin(builder) => {
            let rt = runtime.get()?;
            let endpoint = builder.endpoint_url().to_owned();
            let exporter: ZipkinExporter = builder.build()?;
            let exporter = OnRuntime::new(exporter, rt, batch.timeout(), None)
                .naming(&endpoint, Default::default());
            BatchProcessor::new(exporter, batch)
        }
        #[cfg(feature = "waterfall")]
        TraceTarget::Console(waterfall) => {
            BatchProcessor::new(waterfall, batch.or_scheduled_delay(CONSOLE_DELAY))
        }
        TraceTarget::Custom(factory) => factory(batch),
    })
}

/// The export processors on the tracer provider, the first one behind the adaptive
/// sampler's error-rate processor (so spans are counted as they pass, not copied for it).
fn with_exports(
    mut tracing: TracerProviderBuilder,
    adaptive: Option<AdaptiveSampler>,
    exports: Vec<BatchProcessor>,
) -> TracerProviderBuilder {
    let mut exports = exports.into_iter();
    match (adaptive, exports.next()) {
        (Some(sampler), Some(first)) => {
            tracing = tracing.with_span_processor(sampler.processor(first));
        }
        (Some(sampler), None) => tracing = tracing.with_span_processor(sampler.processor(Discard)),
        (None, Some(first)) => tracing = tracing.with_span_processor(first),
        (None, None) => {}
    }
    exports.fold(tracing, TracerProviderBuilder::with_span_processor)
}

/// The meter provider with a periodic reader for one metric target.
fn with_reader(
    metering: MeterProviderBuilder,
    target: MetricTarget,
    reader: ReaderSettings,
    runtime: &mut Runtime,
    status: &Arc<ExportStatus>,
) -> Result<MeterProviderBuilder, InitError> {
    #[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
    let _ = (runtime, status);
    Ok(match target {
        #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
        MetricTarget::Otlp(settings) => {
            let rt = runtime.get()?;
            let (exporter, detail) = settings.metric_exporter(&rt).map_err(|e| otlp_error(&e))?;
            let exporter = OnRuntime::new(exporter, rt, reader.timeout, Some(status.clone()))
                .naming(&settings.endpoint, detail);
            metering.with_reader(
                PeriodicReader::builder(exporter)
                    .with_interval(reader.interval)
                    .build(),
            )
        }
        MetricTarget::Console => metering.with_reader(
            PeriodicReader::builder(ConsoleMetricExporter::stdout())
                .with_interval(reader.interval)
                .build(),
        ),
    })
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
fn otlp_error(e: &opentelemetry_otlp::ExporterBuildError) -> InitError {
    InitError::Exporter {
        exporter: "otlp",
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _};

    use crate::sampler::AdaptiveSampler;
    use crate::testing::SpanCollector;

    #[test]
    fn the_adaptive_sampler_counts_spans_in_front_of_the_first_exporter() {
        let sampler = AdaptiveSampler::builder()
            .base_ratio(1.0)
            .min_requests(3)
            .build();
        let (first, second) = (SpanCollector::default(), SpanCollector::default());
        let guard = crate::Builder::from_env_map([("OTEL_METRICS_EXPORTER", "none")])
            .adaptive_sampler(sampler.clone())
            .span_exporter(first.clone())
            .span_exporter(second.clone())
            .install_global(false)
            .build()
            .unwrap();
        let tracer = guard.tracer("test");
        let end = |name: &str, error: bool| {
            let mut span = tracer
                .span_builder(name.to_owned())
                .with_kind(SpanKind::Server)
                .start(&tracer);
            if error {
                span.set_status(Status::error("boom"));
            }
            span.end();
        };
        end("GET /a", true);
        end("GET /b", false);
        // Two spans are fewer than min_requests (3); counted twice they would be four.
        assert_eq!(sampler.error_rate(), None, "each span counted once");
        end("GET /c", false);
        assert_eq!(sampler.error_rate(), Some(1.0 / 3.0));
        guard.shutdown().unwrap();
        assert_eq!(first.spans().names(), ["GET /a", "GET /b", "GET /c"]);
        assert_eq!(second.spans().names(), ["GET /a", "GET /b", "GET /c"]);
    }
}
