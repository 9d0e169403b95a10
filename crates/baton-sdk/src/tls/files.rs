//! Reading the PEM files a TLS configuration names. Every error names where the path came
//! from (the variable or the builder method) and the path; never a file's content.

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::env::TlsFile;
use crate::error::InitError;

/// The error for `file`: `{source}="{path}": {reason}`.
fn error(file: &TlsFile, reason: impl Into<String>) -> InitError {
    InitError::invalid(file.source, &file.path, reason)
}

/// The file's bytes.
fn read(file: &TlsFile) -> Result<Vec<u8>, InitError> {
    std::fs::read(&file.path).map_err(|e| error(file, format!("cannot read the file: {e}")))
}

/// What is wrong with a file that is not valid PEM.
fn not_pem(e: &pem::Error) -> String {
    let what = match e {
        pem::Error::MissingSectionEnd { .. } => "a section has no END line".to_owned(),
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is malformed".to_owned(),
        pem::Error::Base64Decode(_) => "a section is not valid base64".to_owned(),
        other => other.to_string(),
    };
    format!("not a valid PEM file: {what}")
}

/// The file's PEM text and the certificates in it (at least one).
pub(super) fn certificates(
    file: &TlsFile,
) -> Result<(Vec<u8>, Vec<CertificateDer<'static>>), InitError> {
    let bytes = read(file)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(file, not_pem(&e)))?;
    if certs.is_empty() {
        return Err(error(
            file,
            "not a PEM certificate file: no \"-----BEGIN CERTIFICATE-----\" section",
        ));
    }
    Ok((bytes, certs))
}

/// The CA file's certificates as roots.
pub(super) fn roots(file: &TlsFile) -> Result<RootCertStore, InitError> {
    let (_, certs) = certificates(file)?;
    let mut roots = RootCertStore::empty();
    for (n, cert) in certs.into_iter().enumerate() {
        roots.add(cert).map_err(|e| {
            error(
                file,
                format!("certificate {} cannot be used as a CA: {e}", n + 1),
            )
        })?;
    }
    Ok(roots)
}

/// The file's PEM text and the private key in it (PKCS#8, PKCS#1 or SEC1).
pub(super) fn private_key(file: &TlsFile) -> Result<(Vec<u8>, PrivateKeyDer<'static>), InitError> {
    let bytes = read(file)?;
    match PrivateKeyDer::from_pem_slice(&bytes) {
        Ok(key) => Ok((bytes, key)),
        Err(pem::Error::NoItemsFound) => Err(error(
            file,
            "not a PEM private key file: no \"-----BEGIN PRIVATE KEY-----\" (or RSA / EC \
             PRIVATE KEY) section",
        )),
        Err(e) => Err(error(file, not_pem(&e))),
    }
}

/// The key must be the one the client certificate was issued for.
pub(super) fn check_match(
    cert: &TlsFile,
    chain: &[CertificateDer<'static>],
    key: &TlsFile,
    key_der: &PrivateKeyDer<'static>,
    provider: &CryptoProvider,
) -> Result<(), InitError> {
    match CertifiedKey::from_der(chain.to_vec(), key_der.clone_key(), provider) {
        Ok(_) => Ok(()),
        Err(rustls::Error::InconsistentKeys(_)) => Err(error(
            key,
            format!(
                "this key does not match the client certificate in {}={:?}",
                cert.source, cert.path
            ),
        )),
        Err(rustls::Error::InvalidCertificate(e)) => Err(error(
            cert,
            format!("the client certificate cannot be parsed: {e}"),
        )),
        Err(e) => Err(error(key, format!("this key cannot be used: {e}"))),
    }
}

/// A client certificate without its key, or a key without its certificate.
pub(super) fn needs_both(given: &TlsFile, missing: &str) -> InitError {
    error(
        given,
        format!("mTLS needs a {missing} too, and none is configured"),
    )
}
