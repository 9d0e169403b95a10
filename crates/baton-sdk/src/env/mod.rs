//! Reading and validating the `OTEL_*` environment.
//!
//! Every read goes through [`Env`], so tests hand [`crate::Builder::from_env_map`] a map
//! instead of racing on the process environment. [`Vars`] turns raw strings into typed
//! values with the spec's rules (empty means unset, milliseconds, positive counts) and
//! collects the warnings for values that are ignored rather than refused. One file per
//! group of variables turns them into settings the installer uses.

mod batch;
mod exporters;
mod kv;
pub(crate) mod names;
mod otlp;
mod resource;
mod sampler;
mod source;
mod vars;
mod zipkin;

pub(crate) use batch::{BatchSettings, ReaderSettings, batch_settings, reader_settings};
pub(crate) use exporters::{
    MetricExporterKind, TraceExporterKind, metric_exporters, trace_exporters,
};
pub(crate) use otlp::{Compression, OtlpSettings, Protocol, Signal, otlp_settings};
pub(crate) use resource::{EnvResource, env_resource};
pub(crate) use sampler::sampler;
pub(crate) use source::{Env, MapEnv, ProcessEnv};
pub(crate) use vars::Vars;
pub(crate) use zipkin::{ZipkinSettings, zipkin_settings};
