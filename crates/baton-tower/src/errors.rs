//! `error.type` and a message for whatever error type an inner service returns, server or
//! client: one rule for both sides.

use baton_core::conventions::{ErrorType, classify_error};
use std::any::Any;
use std::error::Error;

type BoxError = Box<dyn Error + Send + Sync>;

/// Classifies an inner service's error: tower's boxed errors (timeouts included), I/O
/// errors and, with the `hyper-util` and `tonic` features, hyper-util's client errors and
/// tonic's transport errors are understood
/// (`timeout`, `connect`, else `_OTHER`, described by their message); any other type is
/// named by its type name, as `error.type` and as the message. The exchange redacts and
/// cuts the message.
pub(crate) fn classify<E: 'static>(error: &E) -> (ErrorType, String) {
    let any: &dyn Any = error;
    let as_error: Option<&(dyn Error + 'static)> = if let Some(e) = any.downcast_ref::<BoxError>() {
        Some(e.as_ref())
    } else if let Some(e) = any.downcast_ref::<Box<dyn Error + Send>>() {
        Some(e.as_ref())
    } else if let Some(e) = any.downcast_ref::<Box<dyn Error>>() {
        Some(e.as_ref())
    } else if let Some(e) = any.downcast_ref::<std::io::Error>() {
        Some(e)
    } else {
        hyper_util_error(any).or_else(|| tonic_error(any))
    };
    match as_error {
        Some(e) => (classify_error(e), e.to_string()),
        None => {
            let name = std::any::type_name::<E>();
            (ErrorType::Type(name), name.to_owned())
        }
    }
}

#[cfg(feature = "hyper-util")]
fn hyper_util_error(any: &dyn Any) -> Option<&(dyn Error + 'static)> {
    any.downcast_ref::<hyper_util::client::legacy::Error>()
        .map(|e| e as &(dyn Error + 'static))
}

#[cfg(not(feature = "hyper-util"))]
fn hyper_util_error(_: &dyn Any) -> Option<&(dyn Error + 'static)> {
    None
}

/// A tonic channel's error (its source chain names the I/O error of a failed connect).
#[cfg(feature = "tonic")]
fn tonic_error(any: &dyn Any) -> Option<&(dyn Error + 'static)> {
    any.downcast_ref::<tonic::transport::Error>()
        .map(|e| e as &(dyn Error + 'static))
}

#[cfg(not(feature = "tonic"))]
fn tonic_error(_: &dyn Any) -> Option<&(dyn Error + 'static)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxed_and_io_errors_are_understood() {
        let boxed: BoxError = Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&boxed).0, ErrorType::Connect);
        let timeout: BoxError = "request timed out".into();
        assert_eq!(
            classify(&timeout),
            (ErrorType::Timeout, "request timed out".to_owned())
        );
        assert_eq!(
            classify(&std::io::Error::from(std::io::ErrorKind::TimedOut)).0,
            ErrorType::Timeout
        );
        assert_eq!(classify(&42_u8), (ErrorType::Type("u8"), "u8".to_owned()));
        let other: BoxError = "boom".into();
        assert_eq!(classify(&other), (ErrorType::Other, "boom".to_owned()));
    }
}
