//! `OTEL_EXPORTER_OTLP_*`: endpoint, protocol, headers, timeout, compression, the TLS files
//! and (for gRPC) `INSECURE`, each with its per-signal form (`OTEL_EXPORTER_OTLP_TRACES_*`,
//! `OTEL_EXPORTER_OTLP_METRICS_*`, `OTEL_EXPORTER_OTLP_LOGS_*`), which wins over the generic
//! one.

use std::time::Duration;

use super::kv::parse_pairs;
use super::names::*;
use opentelemetry_sdk::metrics::Temporality;

use super::temporality::temporality;
use super::tls::{TlsFiles, TlsVars, tls_files};
use super::url::{check_url, is_https};
use super::vars::{Millis, Vars};
use crate::error::InitError;
use crate::exporter::otlp::{Compression, OtlpSettings, Protocol, TlsClient};

/// The signal whose exporter is being configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Spans.
    Traces,
    /// Metrics.
    Metrics,
    /// Log records.
    #[cfg(feature = "logs")]
    Logs,
}

struct SignalVars {
    endpoint: &'static str,
    protocol: &'static str,
    headers: &'static str,
    timeout: &'static str,
    compression: &'static str,
    #[cfg(feature = "otlp-grpc")]
    insecure: &'static str,
    tls: TlsVars,
    #[cfg(feature = "otlp-http")]
    path: &'static str,
}

impl Signal {
    fn vars(self) -> SignalVars {
        match self {
            Signal::Traces => SignalVars {
                endpoint: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
                protocol: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
                headers: OTEL_EXPORTER_OTLP_TRACES_HEADERS,
                timeout: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
                compression: OTEL_EXPORTER_OTLP_TRACES_COMPRESSION,
                #[cfg(feature = "otlp-grpc")]
                insecure: OTEL_EXPORTER_OTLP_TRACES_INSECURE,
                tls: TlsVars {
                    certificate: [
                        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE,
                        OTEL_EXPORTER_OTLP_CERTIFICATE,
                    ],
                    client_certificate: [
                        OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE,
                        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
                    ],
                    client_key: [
                        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY,
                        OTEL_EXPORTER_OTLP_CLIENT_KEY,
                    ],
                },
                #[cfg(feature = "otlp-http")]
                path: "v1/traces",
            },
            Signal::Metrics => SignalVars {
                endpoint: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
                protocol: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
                headers: OTEL_EXPORTER_OTLP_METRICS_HEADERS,
                timeout: OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
                compression: OTEL_EXPORTER_OTLP_METRICS_COMPRESSION,
                #[cfg(feature = "otlp-grpc")]
                insecure: OTEL_EXPORTER_OTLP_METRICS_INSECURE,
                tls: TlsVars {
                    certificate: [
                        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE,
                        OTEL_EXPORTER_OTLP_CERTIFICATE,
                    ],
                    client_certificate: [
                        OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE,
                        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
                    ],
                    client_key: [
                        OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY,
                        OTEL_EXPORTER_OTLP_CLIENT_KEY,
                    ],
                },
                #[cfg(feature = "otlp-http")]
                path: "v1/metrics",
            },
            #[cfg(feature = "logs")]
            Signal::Logs => SignalVars {
                endpoint: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,
                protocol: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL,
                headers: OTEL_EXPORTER_OTLP_LOGS_HEADERS,
                timeout: OTEL_EXPORTER_OTLP_LOGS_TIMEOUT,
                compression: OTEL_EXPORTER_OTLP_LOGS_COMPRESSION,
                #[cfg(feature = "otlp-grpc")]
                insecure: OTEL_EXPORTER_OTLP_LOGS_INSECURE,
                tls: TlsVars {
                    certificate: [
                        OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE,
                        OTEL_EXPORTER_OTLP_CERTIFICATE,
                    ],
                    client_certificate: [
                        OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE,
                        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE,
                    ],
                    client_key: [
                        OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY,
                        OTEL_EXPORTER_OTLP_CLIENT_KEY,
                    ],
                },
                #[cfg(feature = "otlp-http")]
                path: "v1/logs",
            },
        }
    }
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const EXAMPLE: &str = "http://localhost:4318";

/// Reads the settings for one signal; `code` holds the TLS files the builder names, which
/// win over the variables.
pub(crate) fn otlp_settings(
    vars: &mut Vars<'_>,
    signal: Signal,
    code: &TlsFiles,
) -> Result<OtlpSettings, InitError> {
    let names = signal.vars();
    let protocol = match vars.first(&[names.protocol, OTEL_EXPORTER_OTLP_PROTOCOL])? {
        None => DEFAULT_PROTOCOL,
        Some((var, value)) => protocol(var, &value)?,
    };
    let (endpoint_var, endpoint) = endpoint(vars, &names, protocol)?;
    let headers = match vars.first(&[names.headers, OTEL_EXPORTER_OTLP_HEADERS])? {
        None => Vec::new(),
        Some((var, value)) => headers(var, &value)?,
    };
    let timeout = match vars.millis(names.timeout, Millis::Timeout)? {
        Some(t) => t,
        None => vars
            .millis(OTEL_EXPORTER_OTLP_TIMEOUT, Millis::Timeout)?
            .unwrap_or(DEFAULT_TIMEOUT),
    };
    let compression = match vars.first(&[names.compression, OTEL_EXPORTER_OTLP_COMPRESSION])? {
        None => Compression::None,
        Some((var, value)) => match value.to_ascii_lowercase().as_str() {
            "gzip" => Compression::Gzip,
            "none" => Compression::None,
            _ => {
                return Err(InitError::invalid(
                    var,
                    &value,
                    "unknown compression; expected gzip or none",
                ));
            }
        },
    };
    let files = tls_files(vars, names.tls)?.overridden_by(code);
    let tls = transport_security(vars, endpoint_var, &endpoint, files)?;
    let temporality = match signal {
        Signal::Metrics => temporality(vars)?,
        _ => Temporality::Cumulative,
    };
    Ok(OtlpSettings {
        protocol,
        endpoint,
        headers,
        timeout,
        compression,
        tls,
        temporality,
    })
}

/// The endpoint and the variable it came from (`None` for the default). A gRPC endpoint
/// without a scheme is https unless `..._INSECURE` is `true`, as the specification says;
/// an explicit scheme always wins.
fn endpoint(
    vars: &mut Vars<'_>,
    names: &SignalVars,
    protocol: Protocol,
) -> Result<(Option<&'static str>, String), InitError> {
    let given = vars.first(&[names.endpoint, OTEL_EXPORTER_OTLP_ENDPOINT])?;
    let Some((var, url)) = given else {
        return Ok((
            None,
            match protocol {
                #[cfg(feature = "otlp-grpc")]
                Protocol::Grpc => "http://localhost:4317".to_owned(),
                #[cfg(feature = "otlp-http")]
                Protocol::HttpProtobuf => join("http://localhost:4318", names.path),
            },
        ));
    };
    #[cfg(feature = "otlp-grpc")]
    let url = if protocol == Protocol::Grpc && !url.contains("://") {
        let insecure = match vars.first(&[names.insecure, OTEL_EXPORTER_OTLP_INSECURE])? {
            Some((insecure_var, _)) => vars.flag(insecure_var)?,
            None => false,
        };
        let scheme = if insecure { "http" } else { "https" };
        format!("{scheme}://{url}")
    } else {
        url
    };
    #[cfg(not(feature = "otlp-grpc"))]
    let _ = &vars;
    check_url(var, &url, EXAMPLE)?;
    let url = match protocol {
        #[cfg(feature = "otlp-http")]
        Protocol::HttpProtobuf if var == OTEL_EXPORTER_OTLP_ENDPOINT => join(&url, names.path),
        _ => url,
    };
    Ok((Some(var), url))
}

/// The TLS client for an https endpoint, its files read and checked; files named for an
/// http endpoint are not used, and a warning says so.
fn transport_security(
    vars: &mut Vars<'_>,
    endpoint_var: Option<&'static str>,
    endpoint: &str,
    files: TlsFiles,
) -> Result<TlsClient, InitError> {
    if !is_https(endpoint) {
        if let Some(file) = [&files.ca, &files.client_cert, &files.client_key]
            .into_iter()
            .flatten()
            .next()
        {
            vars.warn(format!(
                "{}={:?} is not used: the endpoint {endpoint} ({}) is not https",
                file.source,
                file.path,
                endpoint_var.unwrap_or("the default")
            ));
        }
        return Ok(None);
    }
    #[cfg(feature = "tls")]
    return Ok(Some(std::sync::Arc::new(crate::tls::Tls::load(
        files, endpoint,
    )?)));
    // check_url refuses https without the feature; this is for the default endpoint,
    // which is http, so it is never reached.
    #[cfg(not(feature = "tls"))]
    Err(InitError::not_compiled(
        endpoint_var.unwrap_or(OTEL_EXPORTER_OTLP_ENDPOINT),
        endpoint,
        "tls",
    ))
}

/// The protocol when no variable names one: the spec's `http/protobuf`, or `grpc` in a
/// build that has only that transport.
#[cfg(feature = "otlp-http")]
const DEFAULT_PROTOCOL: Protocol = Protocol::HttpProtobuf;
#[cfg(not(feature = "otlp-http"))]
const DEFAULT_PROTOCOL: Protocol = Protocol::Grpc;

/// The transport a protocol variable names, if this build has it.
fn protocol(var: &'static str, value: &str) -> Result<Protocol, InitError> {
    match value.to_ascii_lowercase().as_str() {
        #[cfg(feature = "otlp-grpc")]
        "grpc" => Ok(Protocol::Grpc),
        #[cfg(not(feature = "otlp-grpc"))]
        "grpc" => Err(InitError::not_compiled(var, value, "otlp-grpc")),
        #[cfg(feature = "otlp-http")]
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        #[cfg(not(feature = "otlp-http"))]
        "http/protobuf" => Err(InitError::not_compiled(var, value, "otlp-http")),
        "http/json" => Err(InitError::invalid(
            var,
            value,
            "http/json is not supported by baton; use grpc or http/protobuf",
        )),
        _ => Err(InitError::invalid(
            var,
            value,
            "unknown protocol; expected grpc or http/protobuf",
        )),
    }
}

#[cfg(feature = "otlp-http")]
/// `base` with `path` appended, with exactly one slash between them.
fn join(base: &str, path: &str) -> String {
    format!("{}/{path}", base.trim_end_matches('/'))
}

/// Headers are parsed like resource attributes, then checked as HTTP header names and
/// values. Messages never show values: headers usually carry credentials.
fn headers(var: &'static str, value: &str) -> Result<Vec<(String, String)>, InitError> {
    let pairs = parse_pairs(value).map_err(|e| InitError::InvalidSecretVar {
        name: var,
        reason: e.0,
    })?;
    for (n, (key, value)) in pairs.iter().enumerate() {
        let n = n + 1;
        if http::HeaderName::from_bytes(key.as_bytes()).is_err() {
            return Err(InitError::InvalidSecretVar {
                name: var,
                reason: format!("entry {n}: {key:?} is not a valid header name"),
            });
        }
        if http::HeaderValue::from_str(value).is_err() {
            return Err(InitError::InvalidSecretVar {
                name: var,
                reason: format!(
                    "entry {n} ({key:?}): the value is not a valid header value (visible ASCII only)"
                ),
            });
        }
    }
    Ok(pairs)
}

// The tests name both transports.
#[cfg(all(test, feature = "otlp-grpc", feature = "otlp-http"))]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    fn settings(pairs: &[(&str, &str)], signal: Signal) -> Result<OtlpSettings, InitError> {
        let env = MapEnv::of(pairs);
        otlp_settings(&mut Vars::new(&env), signal, &TlsFiles::default())
    }

    #[test]
    fn defaults() {
        let s = settings(&[], Signal::Traces).unwrap();
        assert_eq!(s.protocol, Protocol::HttpProtobuf);
        assert_eq!(s.endpoint, "http://localhost:4318/v1/traces");
        assert_eq!(s.timeout, Duration::from_secs(10));
        assert_eq!(s.compression, Compression::None);
        assert!(s.headers.is_empty());
        let s = settings(&[(OTEL_EXPORTER_OTLP_PROTOCOL, "grpc")], Signal::Metrics).unwrap();
        assert_eq!(s.endpoint, "http://localhost:4317");
    }

    #[test]
    fn generic_endpoint_gets_the_signal_path_for_http_only() {
        for base in ["http://c:4318", "http://c:4318/"] {
            let s = settings(&[(OTEL_EXPORTER_OTLP_ENDPOINT, base)], Signal::Metrics).unwrap();
            assert_eq!(s.endpoint, "http://c:4318/v1/metrics");
        }
        let s = settings(
            &[(OTEL_EXPORTER_OTLP_ENDPOINT, "http://c/otlp/")],
            Signal::Traces,
        )
        .unwrap();
        assert_eq!(s.endpoint, "http://c/otlp/v1/traces");
        let s = settings(
            &[
                (OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4317"),
                (OTEL_EXPORTER_OTLP_PROTOCOL, "grpc"),
            ],
            Signal::Traces,
        )
        .unwrap();
        assert_eq!(s.endpoint, "http://c:4317");
    }

    #[test]
    fn per_signal_values_win_and_are_used_as_is() {
        let env = [
            (OTEL_EXPORTER_OTLP_ENDPOINT, "http://generic:4318"),
            (
                OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
                "http://traces:9999/custom",
            ),
            (OTEL_EXPORTER_OTLP_PROTOCOL, "grpc"),
            (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "http/protobuf"),
            (OTEL_EXPORTER_OTLP_HEADERS, "a=1"),
            (OTEL_EXPORTER_OTLP_TRACES_HEADERS, "b=2"),
            (OTEL_EXPORTER_OTLP_TIMEOUT, "1000"),
            (OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, "2000"),
            (OTEL_EXPORTER_OTLP_COMPRESSION, "none"),
            (OTEL_EXPORTER_OTLP_TRACES_COMPRESSION, "GZIP"),
        ];
        let t = settings(&env, Signal::Traces).unwrap();
        assert_eq!(
            t,
            OtlpSettings {
                protocol: Protocol::HttpProtobuf,
                endpoint: "http://traces:9999/custom".into(),
                headers: vec![("b".into(), "2".into())],
                timeout: Duration::from_secs(2),
                compression: Compression::Gzip,
                tls: None,
                temporality: Temporality::Cumulative,
            }
        );
        let m = settings(&env, Signal::Metrics).unwrap();
        assert_eq!(
            m,
            OtlpSettings {
                protocol: Protocol::Grpc,
                endpoint: "http://generic:4318".into(),
                headers: vec![("a".into(), "1".into())],
                timeout: Duration::from_secs(1),
                compression: Compression::None,
                tls: None,
                temporality: Temporality::Cumulative,
            }
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = |pairs: &[(&str, &str)]| settings(pairs, Signal::Traces).unwrap_err().to_string();
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_PROTOCOL, "http/json")]),
            r#"OTEL_EXPORTER_OTLP_PROTOCOL="http/json": http/json is not supported by baton; use grpc or http/protobuf"#
        );
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "thrift")]),
            r#"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="thrift": unknown protocol; expected grpc or http/protobuf"#
        );
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_ENDPOINT, "localhost:4318")]),
            r#"OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318": must be a URL with scheme http or https and a host, such as http://localhost:4318"#
        );
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_COMPRESSION, "zstd")]),
            r#"OTEL_EXPORTER_OTLP_COMPRESSION="zstd": unknown compression; expected gzip or none"#
        );
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_HEADERS, "api-key=s3cret,oops")]),
            "OTEL_EXPORTER_OTLP_HEADERS (value not shown: it may hold credentials): entry 2 has no \"=\"; expected key=value pairs separated by commas"
        );
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_TRACES_HEADERS, "bad key=1")]),
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS (value not shown: it may hold credentials): entry 1: \"bad key\" is not a valid header name"
        );
        assert_eq!(
            err(&[(OTEL_EXPORTER_OTLP_TIMEOUT, "10s")]),
            r#"OTEL_EXPORTER_OTLP_TIMEOUT="10s": must be a whole number of milliseconds, at most 2147483647 (0 means no limit)"#
        );
    }

    #[test]
    fn a_grpc_endpoint_without_a_scheme_is_https_unless_insecure() {
        let grpc = (OTEL_EXPORTER_OTLP_PROTOCOL, "grpc");
        let endpoint = |pairs: &[(&str, &str)], signal| settings(pairs, signal).unwrap().endpoint;
        let insecure = [
            grpc,
            (OTEL_EXPORTER_OTLP_ENDPOINT, "collector:4317"),
            (OTEL_EXPORTER_OTLP_INSECURE, "true"),
        ];
        assert_eq!(endpoint(&insecure, Signal::Traces), "http://collector:4317");
        // The per-signal flag wins; an explicit scheme always wins (https: with tls).
        #[cfg(feature = "tls")]
        let mixed = [
            grpc,
            (OTEL_EXPORTER_OTLP_ENDPOINT, "collector:4317"),
            (OTEL_EXPORTER_OTLP_INSECURE, "true"),
            (OTEL_EXPORTER_OTLP_METRICS_INSECURE, "false"),
            (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "https://t:4317"),
            (OTEL_EXPORTER_OTLP_TRACES_INSECURE, "true"),
        ];
        #[cfg(feature = "tls")]
        assert_eq!(endpoint(&mixed, Signal::Traces), "https://t:4317");
        #[cfg(feature = "tls")]
        assert_eq!(
            settings(&mixed, Signal::Metrics).unwrap().endpoint,
            "https://collector:4317"
        );
        // Over HTTP a scheme is required.
        assert_eq!(
            settings(
                &[(OTEL_EXPORTER_OTLP_ENDPOINT, "collector:4318")],
                Signal::Traces
            )
            .unwrap_err()
            .to_string(),
            r#"OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318": must be a URL with scheme http or https and a host, such as http://localhost:4318"#
        );
    }

    #[test]
    fn tls_files_for_an_http_endpoint_are_not_used_and_a_warning_says_so() {
        let env = MapEnv::of(&[
            (OTEL_EXPORTER_OTLP_ENDPOINT, "http://c:4318"),
            (OTEL_EXPORTER_OTLP_CERTIFICATE, "/nonexistent/ca.pem"),
        ]);
        let mut vars = Vars::new(&env);
        let s = otlp_settings(&mut vars, Signal::Traces, &TlsFiles::default()).unwrap();
        assert_eq!(s.tls, None);
        assert_eq!(
            vars.into_warnings(),
            [
                r#"OTEL_EXPORTER_OTLP_CERTIFICATE="/nonexistent/ca.pem" is not used: the endpoint http://c:4318/v1/traces (OTEL_EXPORTER_OTLP_ENDPOINT) is not https"#
            ]
        );
    }

    #[test]
    fn headers_are_percent_decoded() {
        let s = settings(
            &[(
                OTEL_EXPORTER_OTLP_HEADERS,
                "authorization=Bearer%20abc, x-tenant = t1 ",
            )],
            Signal::Traces,
        )
        .unwrap();
        assert_eq!(
            s.headers,
            [
                ("authorization".to_owned(), "Bearer abc".to_owned()),
                ("x-tenant".to_owned(), "t1".to_owned())
            ]
        );
    }
}

/// A protocol variable naming the transport this build leaves out.
#[cfg(all(test, not(all(feature = "otlp-grpc", feature = "otlp-http"))))]
mod one_transport {
    use super::*;

    #[cfg(not(feature = "otlp-grpc"))]
    #[test]
    fn grpc_left_out() {
        let err = protocol(OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "GRPC").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="GRPC": needs the "otlp-grpc" feature, which this build of baton-sdk leaves out (enable it on baton-sdk, or on baton, which forwards it)"#
        );
        assert_eq!(DEFAULT_PROTOCOL, Protocol::HttpProtobuf);
    }

    #[cfg(not(feature = "otlp-http"))]
    #[test]
    fn http_left_out_and_grpc_is_the_default() {
        let err = protocol(OTEL_EXPORTER_OTLP_PROTOCOL, "http/protobuf").unwrap_err();
        assert!(matches!(
            err,
            InitError::NotCompiled {
                name: OTEL_EXPORTER_OTLP_PROTOCOL,
                feature: "otlp-http",
                ..
            }
        ));
        assert_eq!(DEFAULT_PROTOCOL, Protocol::Grpc);
    }
}
