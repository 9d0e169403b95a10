//! `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and `OTEL_EXPORTER_ZIPKIN_TIMEOUT`.

use std::time::Duration;

use super::names::{OTEL_EXPORTER_ZIPKIN_ENDPOINT, OTEL_EXPORTER_ZIPKIN_TIMEOUT};
use super::otlp::check_url;
use super::vars::{Millis, Vars};
use crate::exporter::DEFAULT_ZIPKIN_ENDPOINT as DEFAULT_ENDPOINT;
use crate::init::InitError;

/// Where and how long to send Zipkin spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ZipkinSettings {
    pub(crate) endpoint: String,
    pub(crate) timeout: Duration,
}

/// Reads the Zipkin exporter's variables.
pub(crate) fn zipkin_settings(vars: &Vars<'_>) -> Result<ZipkinSettings, InitError> {
    let endpoint = match vars.get(OTEL_EXPORTER_ZIPKIN_ENDPOINT)? {
        Some(url) => {
            check_url(OTEL_EXPORTER_ZIPKIN_ENDPOINT, &url, DEFAULT_ENDPOINT)?;
            url
        }
        None => DEFAULT_ENDPOINT.to_owned(),
    };
    let timeout = vars
        .millis(OTEL_EXPORTER_ZIPKIN_TIMEOUT, Millis::Timeout)?
        .unwrap_or(Duration::from_secs(10));
    Ok(ZipkinSettings { endpoint, timeout })
}
