//! Reading and validating the `OTEL_*` environment.
//!
//! Every read goes through [`Env`], so tests hand [`crate::Builder::from_env_map`] a map
//! instead of racing on the process environment. [`Vars`] turns raw strings into typed
//! values with the spec's rules (empty means unset, milliseconds, positive counts) and
//! collects the warnings for values that are ignored rather than refused. One file per
//! group of variables turns them into the settings of the part they configure (the
//! exporters' and the batch processor's own types), which the installer uses.

mod batch;
mod exporters;
mod kv;
mod limits;
#[cfg(feature = "logs")]
mod logs;
mod methods;
pub(crate) mod names;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
mod otlp;
mod reader;
mod resource;
mod sampler;
mod source;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
mod temporality;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
mod tls;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
mod url;
mod vars;
#[cfg(feature = "zipkin")]
mod zipkin;

#[cfg(feature = "logs")]
pub(crate) use batch::BLRP;
pub(crate) use batch::{BSP, batch_options};
pub(crate) use exporters::{
    MetricExporterKind, TraceExporterKind, metric_exporters, trace_exporters,
};
pub(crate) use limits::limits;
#[cfg(feature = "logs")]
pub(crate) use logs::{LogExporterKind, filter as log_filter, format as log_format, log_exporters};
pub(crate) use methods::check_known_methods;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
pub(crate) use otlp::{Signal, otlp_settings};
pub(crate) use reader::{ReaderSettings, reader_settings};
pub(crate) use resource::{EnvResource, env_resource};
pub(crate) use sampler::sampler;
pub(crate) use source::{Env, MapEnv, ProcessEnv};
#[cfg(feature = "tls")]
pub(crate) use tls::TlsFile;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http", feature = "zipkin"))]
pub(crate) use tls::TlsFiles;
#[cfg(all(feature = "zipkin", feature = "tls"))]
pub(crate) use url::is_https;
pub(crate) use vars::Vars;
#[cfg(feature = "zipkin")]
pub(crate) use zipkin::zipkin_exporter;
