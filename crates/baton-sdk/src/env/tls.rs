//! The TLS files an exporter is given: `OTEL_EXPORTER_OTLP_CERTIFICATE`,
//! `..._CLIENT_CERTIFICATE` and `..._CLIENT_KEY`, each with its per-signal form (which
//! wins), or the builder's paths (which win over both). Only the names are read here; the
//! files are read and checked when the endpoint is https.

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use super::vars::Vars;
#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
use crate::error::InitError;

/// One file: where its path came from (a variable, or a builder method) and the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TlsFile {
    /// The variable, or `Builder::tls_certificate` and the like.
    pub(crate) source: &'static str,
    /// The path, as given.
    pub(crate) path: String,
}

/// The files one exporter's TLS client uses; unset ones are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TlsFiles {
    /// The CA certificates that verify the server (instead of the system's roots).
    pub(crate) ca: Option<TlsFile>,
    /// The client certificate chain, for mTLS.
    pub(crate) client_cert: Option<TlsFile>,
    /// The client certificate's private key.
    pub(crate) client_key: Option<TlsFile>,
}

impl TlsFiles {
    /// Names the CA file, `source` being the builder method that does.
    #[cfg(feature = "tls")]
    pub(crate) fn set_ca(&mut self, source: &'static str, path: String) {
        self.ca = Some(TlsFile { source, path });
    }

    /// Names the client certificate and key, `source` being the builder method that does.
    #[cfg(feature = "tls")]
    pub(crate) fn set_identity(&mut self, source: &'static str, cert: String, key: String) {
        self.client_cert = Some(TlsFile { source, path: cert });
        self.client_key = Some(TlsFile { source, path: key });
    }

    /// Each file set in `code`, else this one.
    pub(crate) fn overridden_by(self, code: &TlsFiles) -> TlsFiles {
        TlsFiles {
            ca: code.ca.clone().or(self.ca),
            client_cert: code.client_cert.clone().or(self.client_cert),
            client_key: code.client_key.clone().or(self.client_key),
        }
    }
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
/// The variable names for one signal: its own, then the generic one, for each file.
#[derive(Clone, Copy)]
pub(crate) struct TlsVars {
    pub(crate) certificate: [&'static str; 2],
    pub(crate) client_certificate: [&'static str; 2],
    pub(crate) client_key: [&'static str; 2],
}

#[cfg(any(feature = "otlp-grpc", feature = "otlp-http"))]
/// The files the variables name.
pub(crate) fn tls_files(vars: &Vars<'_>, names: TlsVars) -> Result<TlsFiles, InitError> {
    let file = |names: [&'static str; 2]| -> Result<Option<TlsFile>, InitError> {
        Ok(vars
            .first(&names)?
            .map(|(source, path)| TlsFile { source, path }))
    };
    Ok(TlsFiles {
        ca: file(names.certificate)?,
        client_cert: file(names.client_certificate)?,
        client_key: file(names.client_key)?,
    })
}
