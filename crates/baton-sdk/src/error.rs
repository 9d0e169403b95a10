//! What can go wrong when setting up, and when shutting down.

use std::fmt;

use baton_core::propagation::PropagatorError;

/// Why [`init`](crate::init) or [`Builder::build`](crate::Builder::build) could not set
/// the SDK up. Every message names the variable and the value at fault, so it can be shown
/// to the user as it is.
///
/// ```
/// let err = baton_sdk::Builder::from_env_map([
///     ("OTEL_TRACES_SAMPLER", "traceidratio"),
///     ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
/// ])
/// .install_global(false)
/// .build()
/// .unwrap_err();
/// assert_eq!(err.to_string(), r#"OTEL_TRACES_SAMPLER_ARG="1.5": must be a number between 0 and 1"#);
/// assert_eq!(err.variable(), Some("OTEL_TRACES_SAMPLER_ARG"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// An environment variable holds a value baton cannot use.
    InvalidVar {
        /// The variable.
        name: &'static str,
        /// Its (trimmed) value.
        value: String,
        /// What is wrong and what is expected.
        reason: String,
    },
    /// A variable that may hold credentials (`OTEL_EXPORTER_OTLP_*HEADERS`) is malformed;
    /// its value is left out of the message.
    InvalidSecretVar {
        /// The variable.
        name: &'static str,
        /// What is wrong, naming entries by position.
        reason: String,
    },
    /// An environment variable is set to something that is not valid Unicode.
    NotUnicode {
        /// The variable.
        name: &'static str,
    },
    /// A variable selects an exporter (or an OTLP transport) that this build of baton-sdk
    /// leaves out: `feature` is the cargo feature that brings it (of `baton-sdk`, or of
    /// `baton`, which forwards it).
    NotCompiled {
        /// The variable.
        name: &'static str,
        /// Its (trimmed) value.
        value: String,
        /// The feature to enable, such as `"zipkin"`.
        feature: &'static str,
    },
    /// `OTEL_PROPAGATORS` names a propagator baton does not know.
    Propagators(PropagatorError),
    /// An exporter could not be built from settings that were otherwise valid.
    Exporter {
        /// `"otlp"` or `"zipkin"`.
        exporter: &'static str,
        /// The exporter's own explanation.
        reason: String,
    },
    /// The background thread that drives network exporters could not be started.
    Runtime(std::io::Error),
}

impl InitError {
    pub(crate) fn not_compiled(name: &'static str, value: &str, feature: &'static str) -> Self {
        InitError::NotCompiled {
            name,
            value: value.to_owned(),
            feature,
        }
    }

    pub(crate) fn invalid(name: &'static str, value: &str, reason: impl Into<String>) -> Self {
        InitError::InvalidVar {
            name,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }

    /// The environment variable at fault, if the error is about one.
    pub fn variable(&self) -> Option<&str> {
        match self {
            InitError::InvalidVar { name, .. }
            | InitError::InvalidSecretVar { name, .. }
            | InitError::NotUnicode { name }
            | InitError::NotCompiled { name, .. } => Some(name),
            InitError::Propagators(_) => Some(baton_core::propagation::OTEL_PROPAGATORS),
            InitError::Exporter { .. } | InitError::Runtime(_) => None,
        }
    }
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::InvalidVar {
                name,
                value,
                reason,
            } => write!(f, "{name}={value:?}: {reason}"),
            InitError::InvalidSecretVar { name, reason } => {
                write!(
                    f,
                    "{name} (value not shown: it may hold credentials): {reason}"
                )
            }
            InitError::NotUnicode { name } => write!(f, "{name} is not valid Unicode"),
            InitError::NotCompiled {
                name,
                value,
                feature,
            } => write!(
                f,
                "{name}={value:?}: needs the {feature:?} feature, which this build of baton-sdk \
                 leaves out (enable it on baton-sdk, or on baton, which forwards it)"
            ),
            InitError::Propagators(e) => e.fmt(f),
            InitError::Exporter { exporter, reason } => {
                write!(f, "could not build the {exporter} exporter: {reason}")
            }
            InitError::Runtime(e) => write!(f, "could not start baton's export thread: {e}"),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitError::Propagators(e) => Some(e),
            InitError::Runtime(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "zipkin")]
impl From<crate::exporter::ZipkinBuildError> for InitError {
    fn from(e: crate::exporter::ZipkinBuildError) -> Self {
        use crate::exporter::ZipkinBuildError;
        match e {
            ZipkinBuildError::Runtime(e) => InitError::Runtime(e),
            ZipkinBuildError::Tls(e) => *e,
            other => InitError::Exporter {
                exporter: "zipkin",
                reason: other.to_string(),
            },
        }
    }
}

impl From<PropagatorError> for InitError {
    fn from(e: PropagatorError) -> Self {
        InitError::Propagators(e)
    }
}

/// Why [`Guard::shutdown`](crate::Guard::shutdown) reports lost telemetry: per signal,
/// what went wrong (exports that failed, spans dropped on a full queue, or the deadline
/// passing before everything was flushed).
///
/// Telemetry that was not flushed is lost; the application itself is unaffected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownError {
    pub(crate) traces: Option<String>,
    pub(crate) metrics: Option<String>,
    pub(crate) logs: Option<String>,
}

impl ShutdownError {
    /// What went wrong flushing and shutting down tracing, if anything.
    pub fn traces(&self) -> Option<&str> {
        self.traces.as_deref()
    }

    /// What went wrong flushing and shutting down metrics, if anything.
    pub fn metrics(&self) -> Option<&str> {
        self.metrics.as_deref()
    }

    /// What went wrong flushing and shutting down the logs signal, if anything.
    pub fn logs(&self) -> Option<&str> {
        self.logs.as_deref()
    }
}

impl fmt::Display for ShutdownError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("telemetry was lost")?;
        let mut sep = ": ";
        if let Some(t) = &self.traces {
            write!(f, "{sep}traces: {t}")?;
            sep = "; ";
        }
        if let Some(m) = &self.metrics {
            write!(f, "{sep}metrics: {m}")?;
            sep = "; ";
        }
        if let Some(l) = &self.logs {
            write!(f, "{sep}logs: {l}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ShutdownError {}
