//! `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and `OTEL_EXPORTER_ZIPKIN_TIMEOUT`, read into the
//! exporter's own settings, its builder.

use super::names::{OTEL_EXPORTER_ZIPKIN_ENDPOINT, OTEL_EXPORTER_ZIPKIN_TIMEOUT};
use super::url::check_url;
use super::vars::{Millis, Vars};
use crate::error::InitError;
use crate::exporter::{DEFAULT_ZIPKIN_ENDPOINT, ZipkinExporter, ZipkinExporterBuilder};

/// Reads the Zipkin exporter's variables; unset ones keep the builder's defaults (the local
/// collector, 10 s).
pub(crate) fn zipkin_exporter(vars: &Vars<'_>) -> Result<ZipkinExporterBuilder, InitError> {
    let mut builder = ZipkinExporter::builder();
    if let Some(url) = vars.get(OTEL_EXPORTER_ZIPKIN_ENDPOINT)? {
        check_url(OTEL_EXPORTER_ZIPKIN_ENDPOINT, &url, DEFAULT_ZIPKIN_ENDPOINT)?;
        builder = builder.endpoint(url);
    }
    if let Some(timeout) = vars.millis(OTEL_EXPORTER_ZIPKIN_TIMEOUT, Millis::Timeout)? {
        builder = builder.timeout(timeout);
    }
    Ok(builder)
}
