//! [`ZipkinBuildError`]: what can stop a [`ZipkinExporter`](super::ZipkinExporter) from
//! being built, and nothing else.

use std::fmt;

/// Why [`ZipkinExporterBuilder::build`](super::ZipkinExporterBuilder::build) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ZipkinBuildError {
    /// The endpoint is not a URL.
    InvalidEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be set up.
    HttpClient {
        /// The client's own explanation.
        reason: String,
    },
    /// The background thread that drives network exporters could not be started.
    Runtime(std::io::Error),
    /// A TLS file named for the https endpoint cannot be used: the error names where the
    /// path came from and the path.
    Tls(Box<crate::InitError>),
}

impl fmt::Display for ZipkinBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipkinBuildError::InvalidEndpoint { endpoint, reason } => {
                write!(f, "invalid endpoint {endpoint:?}: {reason}")
            }
            ZipkinBuildError::HttpClient { reason } => {
                write!(f, "could not set up the HTTP client: {reason}")
            }
            ZipkinBuildError::Runtime(e) => write!(f, "could not start baton's export thread: {e}"),
            ZipkinBuildError::Tls(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ZipkinBuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ZipkinBuildError::Runtime(e) => Some(e),
            _ => None,
        }
    }
}
