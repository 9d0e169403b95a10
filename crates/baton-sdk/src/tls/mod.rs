//! TLS for the network exporters (OTLP over gRPC and HTTP, Zipkin): the files a
//! configuration names, loaded and checked before anything starts, and the client
//! configurations each transport is given.
//!
//! rustls on the aws-lc-rs provider (the one reqwest 0.13 and tonic use by default), no
//! OpenSSL. The roots are the CA file's certificates when one is given
//! (`OTEL_EXPORTER_OTLP_CERTIFICATE`, [`Builder::tls_certificate`](crate::Builder::tls_certificate)),
//! and only those, as the OpenTelemetry SDKs for Go and Java do; otherwise the system's
//! roots, read once per exporter through `rustls-native-certs` (on Linux the distribution's
//! bundle, `SSL_CERT_FILE` / `SSL_CERT_DIR` when set). The system's store rather than a
//! bundled Mozilla list (`webpki-roots`) because that is where operators add their own
//! company CA and where distributions remove distrusted ones, without a rebuild.

mod files;

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::env::TlsFiles;
use crate::error::InitError;

/// Everything one exporter's TLS client needs, loaded and checked.
#[derive(Debug)]
pub(crate) struct Tls {
    files: TlsFiles,
    roots: RootCertStore,
    client: Option<ClientIdentity>,
}

/// The client certificate chain and its key, for mTLS: as PEM for tonic, as DER for rustls.
#[allow(
    dead_code,
    reason = "each transport reads the form it needs, and a build may have only one"
)]
struct ClientIdentity {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("ClientIdentity")
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Tls {
    fn eq(&self, other: &Self) -> bool {
        self.files == other.files
    }
}

impl Eq for Tls {}

/// The provider every TLS client of baton uses.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

impl Tls {
    /// Reads and checks the files: the CA file (else the system's roots), and the client
    /// certificate with its key, which must come together and match. `endpoint` names the
    /// https endpoint in the error when the system has no roots.
    pub(crate) fn load(files: TlsFiles, endpoint: &str) -> Result<Tls, InitError> {
        let roots = match &files.ca {
            Some(ca) => files::roots(ca)?,
            None => system_roots(endpoint)?,
        };
        let client = match (&files.client_cert, &files.client_key) {
            (None, None) => None,
            (Some(cert), None) => return Err(files::needs_both(cert, "client key")),
            (None, Some(key)) => return Err(files::needs_both(key, "client certificate")),
            (Some(cert), Some(key)) => {
                let (cert_pem, chain) = files::certificates(cert)?;
                let (key_pem, key_der) = files::private_key(key)?;
                files::check_match(cert, &chain, key, &key_der, &provider())?;
                Some(ClientIdentity {
                    cert_pem,
                    key_pem,
                    chain,
                    key: key_der,
                })
            }
        };
        Ok(Tls {
            files,
            roots,
            client,
        })
    }

    /// The rustls client configuration (for the HTTP exporters), offering `alpn`.
    #[cfg(any(feature = "otlp-http", feature = "zipkin"))]
    pub(crate) fn rustls_config(
        &self,
        alpn: &[&[u8]],
    ) -> Result<rustls::ClientConfig, rustls::Error> {
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(self.roots.clone());
        let mut config = match &self.client {
            Some(id) => builder.with_client_auth_cert(id.chain.clone(), id.key.clone_key())?,
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(config)
    }

    /// The same roots and identity for tonic (the gRPC exporter).
    #[cfg(feature = "otlp-grpc")]
    pub(crate) fn tonic_config(
        &self,
    ) -> opentelemetry_otlp::tonic_types::transport::ClientTlsConfig {
        use opentelemetry_otlp::tonic_types::transport::{ClientTlsConfig, Identity};
        let config = ClientTlsConfig::new().trust_anchors(self.roots.roots.iter().cloned());
        match &self.client {
            Some(id) => config.identity(Identity::from_pem(&id.cert_pem, &id.key_pem)),
            None => config,
        }
    }
}

/// The system's roots; an error naming the endpoint when there are none.
fn system_roots(endpoint: &str) -> Result<RootCertStore, InitError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let why = match found.errors.first() {
            Some(e) => format!(" ({e})"),
            None => String::new(),
        };
        return Err(InitError::Exporter {
            exporter: "tls",
            reason: format!(
                "{endpoint} is https, but no system root certificates were found{why}; \
                 install the system's CA bundle or name a CA file in \
                 OTEL_EXPORTER_OTLP_CERTIFICATE"
            ),
        });
    }
    Ok(roots)
}
