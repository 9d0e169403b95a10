//! `OTEL_TRACES_EXPORTER` and `OTEL_METRICS_EXPORTER`: which exporters to install.
//!
//! Deviation from the spec, on purpose: when a variable is unset the spec's default is
//! `otlp`, which sends to `localhost:4317`/`4318` and, with no collector running, silently
//! drops everything. baton instead uses OTLP only when an OTLP endpoint is configured for
//! that signal (`OTEL_EXPORTER_OTLP_ENDPOINT` or the signal's own `..._ENDPOINT`), and
//! otherwise draws traces as a waterfall in the terminal and exports no metrics, so a new
//! user sees their traces at once.

use super::names::{
    OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_METRICS_EXPORTER, OTEL_TRACES_EXPORTER,
};
use super::vars::Vars;
use crate::init::InitError;

/// A trace exporter the environment asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TraceExporterKind {
    /// `otlp`.
    Otlp,
    /// `zipkin`.
    Zipkin,
    /// `console`: the terminal waterfall.
    Console,
}

/// A metric exporter the environment asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetricExporterKind {
    /// `otlp`.
    Otlp,
    /// `console`: a summary printed at each export interval.
    Console,
}

/// The trace exporters, in order, without duplicates; empty for `none`.
pub(crate) fn trace_exporters(vars: &Vars<'_>) -> Result<Vec<TraceExporterKind>, InitError> {
    let Some(value) = vars.get(OTEL_TRACES_EXPORTER)? else {
        let otlp = vars
            .first(&[
                OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
                OTEL_EXPORTER_OTLP_ENDPOINT,
            ])?
            .is_some();
        return Ok(vec![if otlp {
            TraceExporterKind::Otlp
        } else {
            TraceExporterKind::Console
        }]);
    };
    parse_list(OTEL_TRACES_EXPORTER, &value, |name| match name {
        "otlp" => Ok(TraceExporterKind::Otlp),
        "zipkin" => Ok(TraceExporterKind::Zipkin),
        "console" => Ok(TraceExporterKind::Console),
        "logging" => Err("\"logging\" is deprecated; use console".into()),
        _ => Err(format!(
            "unknown exporter {name:?}; expected a comma-separated list of otlp, zipkin, console or none"
        )),
    })
}

/// The metric exporters, in order, without duplicates; empty for `none`.
pub(crate) fn metric_exporters(vars: &Vars<'_>) -> Result<Vec<MetricExporterKind>, InitError> {
    let Some(value) = vars.get(OTEL_METRICS_EXPORTER)? else {
        let otlp = vars
            .first(&[
                OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
                OTEL_EXPORTER_OTLP_ENDPOINT,
            ])?
            .is_some();
        return Ok(if otlp {
            vec![MetricExporterKind::Otlp]
        } else {
            Vec::new()
        });
    };
    parse_list(OTEL_METRICS_EXPORTER, &value, |name| {
        match name {
        "otlp" => Ok(MetricExporterKind::Otlp),
        "console" => Ok(MetricExporterKind::Console),
        "logging" => Err("\"logging\" is deprecated; use console".into()),
        "zipkin" => Err("\"zipkin\" carries traces only; expected otlp, console or none".into()),
        "prometheus" => Err(
            "\"prometheus\" is not supported by baton; export otlp to a collector that serves Prometheus"
                .into(),
        ),
        _ => Err(format!(
            "unknown exporter {name:?}; expected a comma-separated list of otlp, console or none"
        )),
    }
    })
}

/// A comma-separated, case-insensitive list; `none` alone means no exporter.
fn parse_list<T: PartialEq>(
    var: &'static str,
    value: &str,
    kind: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, InitError> {
    let names: Vec<String> = value
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    let mut kinds = Vec::new();
    for name in &names {
        if name == "none" {
            if names.len() > 1 {
                return Err(InitError::invalid(
                    var,
                    value,
                    "\"none\" cannot be combined with other exporters",
                ));
            }
            continue;
        }
        let k = kind(name).map_err(|reason| InitError::invalid(var, value, reason))?;
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::MapEnv;

    fn with<T>(pairs: &[(&str, &str)], f: impl FnOnce(&Vars<'_>) -> T) -> T {
        let env = MapEnv(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        f(&Vars::new(&env))
    }

    #[test]
    fn defaults_depend_on_otlp_endpoints() {
        use MetricExporterKind as M;
        use TraceExporterKind as T;
        with(&[], |v| {
            assert_eq!(trace_exporters(v).unwrap(), [T::Console]);
            assert_eq!(metric_exporters(v).unwrap(), []);
        });
        with(&[(OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4318")], |v| {
            assert_eq!(trace_exporters(v).unwrap(), [T::Otlp]);
            assert_eq!(metric_exporters(v).unwrap(), [M::Otlp]);
        });
        with(
            &[(
                OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
                "http://c:4318/v1/traces",
            )],
            |v| {
                assert_eq!(trace_exporters(v).unwrap(), [T::Otlp]);
                assert_eq!(metric_exporters(v).unwrap(), []);
            },
        );
        with(
            &[(
                OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
                "http://c:4318/v1/metrics",
            )],
            |v| {
                assert_eq!(trace_exporters(v).unwrap(), [T::Console]);
                assert_eq!(metric_exporters(v).unwrap(), [M::Otlp]);
            },
        );
    }

    #[test]
    fn lists_are_deduplicated_and_case_insensitive() {
        use TraceExporterKind as T;
        with(
            &[(OTEL_TRACES_EXPORTER, "OTLP, console,otlp,zipkin")],
            |v| {
                assert_eq!(
                    trace_exporters(v).unwrap(),
                    [T::Otlp, T::Console, T::Zipkin]
                );
            },
        );
        with(
            &[
                (OTEL_TRACES_EXPORTER, "none"),
                (OTEL_METRICS_EXPORTER, "none"),
            ],
            |v| {
                assert_eq!(trace_exporters(v).unwrap(), []);
                assert_eq!(metric_exporters(v).unwrap(), []);
            },
        );
    }

    #[test]
    fn bad_values() {
        let err = |pairs: &[(&str, &str)], metrics: bool| {
            with(pairs, |v| {
                if metrics {
                    metric_exporters(v).unwrap_err().to_string()
                } else {
                    trace_exporters(v).unwrap_err().to_string()
                }
            })
        };
        assert_eq!(
            err(&[(OTEL_TRACES_EXPORTER, "otlp,jaeger")], false),
            r#"OTEL_TRACES_EXPORTER="otlp,jaeger": unknown exporter "jaeger"; expected a comma-separated list of otlp, zipkin, console or none"#
        );
        assert_eq!(
            err(&[(OTEL_TRACES_EXPORTER, "none,otlp")], false),
            r#"OTEL_TRACES_EXPORTER="none,otlp": "none" cannot be combined with other exporters"#
        );
        assert_eq!(
            err(&[(OTEL_METRICS_EXPORTER, "zipkin")], true),
            r#"OTEL_METRICS_EXPORTER="zipkin": "zipkin" carries traces only; expected otlp, console or none"#
        );
        assert_eq!(
            err(&[(OTEL_TRACES_EXPORTER, "logging")], false),
            r#"OTEL_TRACES_EXPORTER="logging": "logging" is deprecated; use console"#
        );
    }
}
