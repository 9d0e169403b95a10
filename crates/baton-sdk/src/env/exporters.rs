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
#[cfg(test)]
use super::source::MapEnv;
use super::vars::Vars;
use crate::error::InitError;

/// A trace exporter the environment asks for: only those this build has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TraceExporterKind {
    /// `otlp`.
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    Otlp,
    /// `zipkin`.
    #[cfg(feature = "zipkin")]
    Zipkin,
    /// `console`: the terminal waterfall.
    #[cfg(feature = "waterfall")]
    Console,
}

/// A metric exporter the environment asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetricExporterKind {
    /// `otlp`.
    #[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
    Otlp,
    /// `console`: a summary printed at each export interval.
    Console,
}

/// An exporter name the environment uses: one this build has, or the feature that would
/// bring it.
pub(super) enum Choice<T> {
    Compiled(T),
    #[allow(
        dead_code,
        reason = "constructed only in builds that leave an exporter out"
    )]
    Missing(&'static str),
}

/// The feature that brings OTLP, when neither transport is compiled: the one for the
/// specification's default transport.
#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
const OTLP_FEATURE: &str = "otlp-http";

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
const OTLP_TRACES: Choice<TraceExporterKind> = Choice::Compiled(TraceExporterKind::Otlp);
#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
const OTLP_TRACES: Choice<TraceExporterKind> = Choice::Missing(OTLP_FEATURE);

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
const OTLP_METRICS: Choice<MetricExporterKind> = Choice::Compiled(MetricExporterKind::Otlp);
#[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
const OTLP_METRICS: Choice<MetricExporterKind> = Choice::Missing(OTLP_FEATURE);

/// The feature the OTLP exporters of every signal need, when neither transport is built.
#[cfg(all(
    feature = "logs",
    not(any(feature = "otlp-grpc", feature = "otlp-http"))
))]
pub(super) const OTLP_MISSING: &str = OTLP_FEATURE;

#[cfg(feature = "zipkin")]
const ZIPKIN: Choice<TraceExporterKind> = Choice::Compiled(TraceExporterKind::Zipkin);
#[cfg(not(feature = "zipkin"))]
const ZIPKIN: Choice<TraceExporterKind> = Choice::Missing("zipkin");

#[cfg(feature = "waterfall")]
const WATERFALL: Choice<TraceExporterKind> = Choice::Compiled(TraceExporterKind::Console);
#[cfg(not(feature = "waterfall"))]
const WATERFALL: Choice<TraceExporterKind> = Choice::Missing("waterfall");

/// The trace exporters, in order, without duplicates; empty for `none`. With the variable
/// unset: OTLP when an endpoint is configured for traces, else the waterfall (nothing in a
/// build without it).
pub(crate) fn trace_exporters(vars: &Vars<'_>) -> Result<Vec<TraceExporterKind>, InitError> {
    let Some(value) = vars.get(OTEL_TRACES_EXPORTER)? else {
        let endpoint = vars.first(&[
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
            OTEL_EXPORTER_OTLP_ENDPOINT,
        ])?;
        return match (endpoint, WATERFALL) {
            (Some((var, url)), _) => Ok(vec![compiled(var, &url, OTLP_TRACES)?]),
            (None, Choice::Compiled(console)) => Ok(vec![console]),
            (None, Choice::Missing(_)) => Ok(Vec::new()),
        };
    };
    parse_list(OTEL_TRACES_EXPORTER, &value, |name| match name {
        "otlp" => Ok(OTLP_TRACES),
        "zipkin" => Ok(ZIPKIN),
        "console" => Ok(WATERFALL),
        "logging" => Err("\"logging\" is deprecated; use console".into()),
        _ => Err(format!(
            "unknown exporter {name:?}; expected a comma-separated list of otlp, zipkin, console or none"
        )),
    })
}

/// The metric exporters, in order, without duplicates; empty for `none`.
pub(crate) fn metric_exporters(vars: &Vars<'_>) -> Result<Vec<MetricExporterKind>, InitError> {
    let Some(value) = vars.get(OTEL_METRICS_EXPORTER)? else {
        let endpoint = vars.first(&[
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
            OTEL_EXPORTER_OTLP_ENDPOINT,
        ])?;
        return match endpoint {
            Some((var, url)) => Ok(vec![compiled(var, &url, OTLP_METRICS)?]),
            None => Ok(Vec::new()),
        };
    };
    parse_list(OTEL_METRICS_EXPORTER, &value, |name| {
        match name {
        "otlp" => Ok(OTLP_METRICS),
        "console" => Ok(Choice::Compiled(MetricExporterKind::Console)),
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

/// The exporter, or the error naming the variable, its value and the missing feature.
pub(super) fn compiled<T>(
    var: &'static str,
    value: &str,
    choice: Choice<T>,
) -> Result<T, InitError> {
    match choice {
        Choice::Compiled(kind) => Ok(kind),
        Choice::Missing(feature) => Err(InitError::not_compiled(var, value, feature)),
    }
}

/// A comma-separated, case-insensitive list; `none` alone means no exporter.
pub(super) fn parse_list<T: PartialEq>(
    var: &'static str,
    value: &str,
    kind: impl Fn(&str) -> Result<Choice<T>, String>,
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
        let choice = kind(name).map_err(|reason| InitError::invalid(var, value, reason))?;
        let k = compiled(var, value, choice)?;
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    Ok(kinds)
}

// The tests name every exporter.
#[cfg(all(
    test,
    any(feature = "otlp-grpc", feature = "otlp-http"),
    feature = "zipkin",
    feature = "waterfall"
))]
mod tests {
    use super::*;

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

/// Reads `pairs` as the whole environment.
#[cfg(test)]
#[allow(dead_code, reason = "the builds without a feature use it")]
fn with<T>(pairs: &[(&str, &str)], f: impl FnOnce(&Vars<'_>) -> T) -> T {
    let env = MapEnv::of(pairs);
    f(&Vars::new(&env))
}

/// What happens when a variable names an exporter this build leaves out: the rule, in every
/// build, and what each build without a feature does.
#[cfg(test)]
mod not_compiled {
    use super::*;

    #[test]
    fn the_error_names_the_variable_the_value_and_the_feature() {
        let err = compiled::<TraceExporterKind>(
            OTEL_TRACES_EXPORTER,
            "otlp,zipkin",
            Choice::Missing("zipkin"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"OTEL_TRACES_EXPORTER="otlp,zipkin": needs the "zipkin" feature, which this build of baton-sdk leaves out (enable it on baton-sdk, or on baton, which forwards it)"#
        );
        assert_eq!(err.variable(), Some(OTEL_TRACES_EXPORTER));
        assert!(matches!(
            err,
            InitError::NotCompiled { feature: "zipkin", ref value, .. } if value == "otlp,zipkin"
        ));
    }

    #[cfg(not(feature = "zipkin"))]
    #[test]
    fn zipkin_left_out() {
        let err = with(&[(OTEL_TRACES_EXPORTER, "zipkin")], |v| {
            trace_exporters(v).unwrap_err()
        });
        assert!(matches!(
            err,
            InitError::NotCompiled {
                name: OTEL_TRACES_EXPORTER,
                feature: "zipkin",
                ..
            }
        ));
    }

    #[cfg(not(feature = "waterfall"))]
    #[test]
    fn waterfall_left_out() {
        let err = with(&[(OTEL_TRACES_EXPORTER, "console")], |v| {
            trace_exporters(v).unwrap_err()
        });
        assert!(matches!(
            err,
            InitError::NotCompiled {
                name: OTEL_TRACES_EXPORTER,
                feature: "waterfall",
                ..
            }
        ));
        // Nothing configured: nothing to draw with, so no exporter rather than an error.
        assert_eq!(with(&[], |v| trace_exporters(v).unwrap()), []);
    }

    #[cfg(not(any(feature = "otlp-grpc", feature = "otlp-http")))]
    #[test]
    fn otlp_left_out() {
        let err = with(&[(OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4318")], |v| {
            metric_exporters(v).unwrap_err()
        });
        assert_eq!(
            err.to_string(),
            r#"OTEL_EXPORTER_OTLP_ENDPOINT="http://c:4318": needs the "otlp-http" feature, which this build of baton-sdk leaves out (enable it on baton-sdk, or on baton, which forwards it)"#
        );
        let err = with(&[(OTEL_TRACES_EXPORTER, "otlp")], |v| {
            trace_exporters(v).unwrap_err()
        });
        assert!(matches!(
            err,
            InitError::NotCompiled {
                name: OTEL_TRACES_EXPORTER,
                feature: "otlp-http",
                ..
            }
        ));
    }
}
