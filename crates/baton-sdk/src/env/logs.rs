//! The `tracing` and logs-signal variables: `OTEL_LOGS_EXPORTER` (where log records go),
//! `RUST_LOG` (which events and spans are kept) and `BATON_LOG_FORMAT` (how lines look on
//! standard error).
//!
//! Like the trace exporter, `OTEL_LOGS_EXPORTER` unset means OTLP only when an OTLP endpoint
//! is configured for logs (`OTEL_EXPORTER_OTLP_ENDPOINT` or `..._LOGS_ENDPOINT`), and the
//! terminal otherwise, rather than the specification's `otlp` to a collector that may not be
//! there.

#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
use super::exporters::OTLP_MISSING;
use super::exporters::{Choice, compiled, parse_list};
use super::names::{
    BATON_LOG_FORMAT, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,
    OTEL_LOGS_EXPORTER, RUST_LOG,
};
use super::vars::Vars;
use crate::error::InitError;
use crate::logs::{Filter, LogFormat};

/// A log exporter the environment asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LogExporterKind {
    /// `otlp`.
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    Otlp,
    /// `console`: the terminal, where each record is also drawn inside its trace's
    /// waterfall when traces are drawn there.
    Console,
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
const OTLP_LOGS: Choice<LogExporterKind> = Choice::Compiled(LogExporterKind::Otlp);
#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
const OTLP_LOGS: Choice<LogExporterKind> = Choice::Missing(OTLP_MISSING);

/// The log exporters, in order, without duplicates; empty for `none`. Unset: OTLP when an
/// endpoint is configured for logs, else the terminal.
pub(crate) fn log_exporters(vars: &Vars<'_>) -> Result<Vec<LogExporterKind>, InitError> {
    let Some(value) = vars.get(OTEL_LOGS_EXPORTER)? else {
        let endpoint = vars.first(&[
            OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,
            OTEL_EXPORTER_OTLP_ENDPOINT,
        ])?;
        return match endpoint {
            Some((var, url)) => Ok(vec![compiled(var, &url, OTLP_LOGS)?]),
            None => Ok(vec![LogExporterKind::Console]),
        };
    };
    parse_list(OTEL_LOGS_EXPORTER, &value, |name| match name {
        "otlp" => Ok(OTLP_LOGS),
        "console" => Ok(Choice::Compiled(LogExporterKind::Console)),
        "logging" => Err("\"logging\" is deprecated; use console".into()),
        _ => Err(format!(
            "unknown exporter {name:?}; expected a comma-separated list of otlp, console or none"
        )),
    })
}

/// The filter: the builder's, else `RUST_LOG`, else `info`. A directive that does not parse
/// fails with the variable (or the builder method) and the value.
pub(crate) fn filter(vars: &Vars<'_>, code: Option<String>) -> Result<Filter, InitError> {
    let (name, value) = match code {
        Some(value) => ("Builder::log_filter", value),
        None => match vars.get(RUST_LOG)? {
            Some(value) => (RUST_LOG, value),
            None => return Ok(Filter::default()),
        },
    };
    Filter::parse(&value).map_err(|reason| InitError::invalid(name, &value, reason))
}

/// The line format: the builder's, else `BATON_LOG_FORMAT`, else text.
pub(crate) fn format(vars: &Vars<'_>, code: Option<LogFormat>) -> Result<LogFormat, InitError> {
    if let Some(format) = code {
        return Ok(format);
    }
    match vars.get(BATON_LOG_FORMAT)? {
        None => Ok(LogFormat::Text),
        Some(value) => match value.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(InitError::invalid(
                BATON_LOG_FORMAT,
                &value,
                "unknown format; expected text or json",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    fn with<T>(pairs: &[(&str, &str)], f: impl FnOnce(&Vars<'_>) -> T) -> T {
        let env = MapEnv::of(pairs);
        f(&Vars::new(&env))
    }

    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    #[test]
    fn defaults_follow_the_otlp_endpoints() {
        use LogExporterKind as L;
        with(&[], |v| assert_eq!(log_exporters(v).unwrap(), [L::Console]));
        with(&[(OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4318")], |v| {
            assert_eq!(log_exporters(v).unwrap(), [L::Otlp]);
        });
        with(
            &[(OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, "http://c:4318/v1/logs")],
            |v| assert_eq!(log_exporters(v).unwrap(), [L::Otlp]),
        );
        with(&[(OTEL_LOGS_EXPORTER, "console, OTLP,console")], |v| {
            assert_eq!(log_exporters(v).unwrap(), [L::Console, L::Otlp]);
        });
        with(&[(OTEL_LOGS_EXPORTER, "none")], |v| {
            assert_eq!(log_exporters(v).unwrap(), []);
        });
    }

    #[test]
    fn bad_exporters_name_the_variable_and_the_value() {
        let err = |value: &str| {
            with(&[(OTEL_LOGS_EXPORTER, value)], |v| {
                log_exporters(v).unwrap_err().to_string()
            })
        };
        assert_eq!(
            err("otlp,file"),
            r#"OTEL_LOGS_EXPORTER="otlp,file": unknown exporter "file"; expected a comma-separated list of otlp, console or none"#
        );
        assert_eq!(
            err("none,console"),
            r#"OTEL_LOGS_EXPORTER="none,console": "none" cannot be combined with other exporters"#
        );
    }

    #[test]
    fn a_bad_filter_names_rust_log() {
        let err = with(&[(RUST_LOG, "info,users=loud")], |v| {
            filter(v, None).unwrap_err()
        });
        assert_eq!(err.variable(), Some(RUST_LOG));
        assert!(
            err.to_string()
                .starts_with(r#"RUST_LOG="info,users=loud": "#),
            "{err}"
        );
        let err = with(&[], |v| filter(v, Some("=".into())).unwrap_err());
        assert!(
            err.to_string().starts_with(r#"Builder::log_filter="=": "#),
            "{err}"
        );
    }

    #[test]
    fn format_from_the_variable() {
        assert_eq!(with(&[], |v| format(v, None).unwrap()), LogFormat::Text);
        assert_eq!(
            with(&[(BATON_LOG_FORMAT, "JSON")], |v| format(v, None).unwrap()),
            LogFormat::Json
        );
        assert_eq!(
            with(&[(BATON_LOG_FORMAT, "xml")], |v| format(v, None)
                .unwrap_err()
                .to_string()),
            r#"BATON_LOG_FORMAT="xml": unknown format; expected text or json"#
        );
    }
}
