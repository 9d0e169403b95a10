//! Setting the SDK up in one call: [`init`] and [`Builder`], returning a [`Guard`].

mod builder;
mod detect;
mod guard;
mod install;
mod overrides;
mod plan;
mod processor;
mod propagator;
mod resource;
mod shutdown;
mod warn;

pub use builder::{Builder, DEFAULT_SHUTDOWN_DEADLINE};
pub use detect::ResourceDetector;
pub use guard::Guard;

use crate::error::InitError;

/// Sets tracing, metrics and propagation up from the `OTEL_*` environment and installs
/// them globally; the same as `Builder::new().build()`.
///
/// ```no_run
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let _guard = baton_sdk::init()?; // flushes and shuts down when dropped
///     // ... build the router with baton's layers and serve ...
///     Ok(())
/// }
/// ```
///
/// It reads the standard `OTEL_*` variables, builds a tracer provider, a meter
/// provider and a propagator, installs them as the globals the layers use, and returns a
/// [`Guard`]. [`Builder`] does the same with code overrides.
///
/// # Variables
///
/// | variable | default | |
/// |---|---|---|
/// | `OTEL_SDK_DISABLED` | `false` | `true`: nothing is sampled or exported; propagation still works |
/// | `OTEL_SERVICE_NAME` | `unknown_service:<exe>` | `service.name` |
/// | `OTEL_RESOURCE_ATTRIBUTES` | | `k=v,k2=v2`, percent-decoded |
/// | `OTEL_TRACES_SAMPLER` | `parentbased_always_on` | `always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio` |
/// | `OTEL_TRACES_SAMPLER_ARG` | `1.0` | the ratio, in `[0, 1]` |
/// | `OTEL_PROPAGATORS` | `tracecontext,baggage` | also `b3`, `b3multi`, `jaeger`, `xray`, `none` |
/// | `OTEL_TRACES_EXPORTER` | see below | `otlp`, `zipkin`, `console`, `none`, or a list |
/// | `OTEL_METRICS_EXPORTER` | see below | `otlp`, `console`, `none`, or a list |
/// | `OTEL_LOGS_EXPORTER` | see below | `otlp`, `console` (records drawn in the waterfall), `none`, or a list (feature `logs`) |
/// | `RUST_LOG` | `info` (`warn` for OpenTelemetry's own crates) | the `tracing` filter (feature `logs`, see [`logs`](crate::logs)) |
/// | `BATON_LOG_FORMAT` | `text` | or `json`: the log lines on standard error |
/// | `OTEL_EXPORTER_OTLP_ENDPOINT` | `http://localhost:4318` (`:4317` for gRPC) | `/v1/traces` or `/v1/metrics` appended for HTTP |
/// | `OTEL_EXPORTER_OTLP_PROTOCOL` | `http/protobuf` | or `grpc` (`http/json` is not supported) |
/// | `OTEL_EXPORTER_OTLP_HEADERS` | | `k=v,k2=v2`, percent-decoded |
/// | `OTEL_EXPORTER_OTLP_TIMEOUT` | `10000` ms | |
/// | `OTEL_EXPORTER_OTLP_COMPRESSION` | `none` | or `gzip` |
/// | `OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_*` | | the same five per signal; a per-signal endpoint is used as it is |
/// | `OTEL_EXPORTER_ZIPKIN_ENDPOINT` | `http://localhost:9411/api/v2/spans` | |
/// | `OTEL_EXPORTER_ZIPKIN_TIMEOUT` | `10000` ms | |
/// | `OTEL_BSP_SCHEDULE_DELAY` | `5000` ms (`100` for the terminal) | |
/// | `OTEL_BSP_EXPORT_TIMEOUT` | `30000` ms | enforced on OTLP and Zipkin exports |
/// | `OTEL_BSP_MAX_QUEUE_SIZE` | `2048` | at most 65 536; spans beyond it are dropped |
/// | `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` | `512` | |
/// | `OTEL_BLRP_*` | as `OTEL_BSP_*`, but `SCHEDULE_DELAY` `1000` ms (`100` for the terminal) | the batch log record processor (`SCHEDULE_DELAY`, `EXPORT_TIMEOUT`, `MAX_QUEUE_SIZE`, `MAX_EXPORT_BATCH_SIZE`) |
/// | `OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT` | `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` | log record bodies and string attributes cut to this many bytes |
/// | `OTEL_METRIC_EXPORT_INTERVAL` | `60000` ms | |
/// | `OTEL_METRIC_EXPORT_TIMEOUT` | `30000` ms | enforced on OTLP exports |
///
/// **Exporters by default.** With `OTEL_TRACES_EXPORTER` unset, traces go over OTLP if
/// `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, and are
/// drawn as a [waterfall](crate::waterfall) in the terminal otherwise; with
/// `OTEL_METRICS_EXPORTER` unset, metrics go over OTLP if an endpoint for them is set, and
/// nowhere otherwise; with `OTEL_LOGS_EXPORTER` unset, log records go over OTLP if an
/// endpoint for them is set, and into the waterfall otherwise. The specification says
/// `otlp` in every case; baton departs from it
/// so that a program run with no configuration shows its traces instead of sending them
/// to a collector that is not there.
///
/// **Bad values.** A value baton cannot use (an unknown sampler or exporter, a ratio
/// outside `[0, 1]`, a malformed number, URL or attribute list) fails `init` with an
/// [`InitError`] naming the variable and the value:
/// `OTEL_TRACES_SAMPLER_ARG="1.5": must be a number between 0 and 1`. The specification
/// asks SDKs to log such values and carry on with defaults; baton refuses them because a
/// typo that silently turns sampling up or exports to nowhere is found far too late.
/// Where the specification defines what to do instead, baton does it and warns once on
/// standard error (the warnings are also on [`Guard::warnings`]):
/// `OTEL_SDK_DISABLED` other than `true`/`false` reads as `false`; a sampler argument
/// for a sampler that takes none, or without `OTEL_TRACES_SAMPLER`, is ignored; a batch
/// size above the queue size is lowered to it. Values of `*_HEADERS` variables never
/// appear in messages: they usually hold credentials.
///
/// **Only what applies is read.** Variables for exporters that are not selected, and the
/// sampler variables when the builder is given a sampler, are not read, so they cannot
/// fail `init`.
///
/// # Several services in one process
///
/// Examples and tests often run a gateway and the services behind it in one process. Give
/// each its own builder, `service_name` and a clone of one
/// [`WaterfallExporter`](crate::waterfall::WaterfallExporter), and keep them out of the
/// globals; then hand each service's layers its own provider from its guard:
///
/// ```no_run
/// use baton_sdk::{Builder, Guard, InitError, waterfall::WaterfallExporter};
///
/// fn service(name: &str, shared: &WaterfallExporter) -> Result<Guard, InitError> {
///     Builder::new()
///         .service_name(name)
///         .waterfall(shared.clone())
///         .install_global(false)
///         .build()
/// }
///
/// let shared = WaterfallExporter::stdout();
/// let guards = ["gateway", "auth", "users", "db"]
///     .map(|name| service(name, &shared));
/// // ServerLayer::new().tracer_provider(guard.tracer_provider()) for each service...
/// # Ok::<(), InitError>(())
/// ```
///
/// # Shutdown
///
/// Dropping the [`Guard`] flushes queued spans and metrics and shuts both providers down,
/// in parallel, within the deadline (5 s by default), whether or not the collector
/// answers. [`Guard::shutdown`] does the same and returns what could not be flushed.
pub fn init() -> Result<Guard, InitError> {
    Builder::new().build()
}
