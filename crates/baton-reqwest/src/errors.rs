//! `error.type` and a span status message for the errors a middleware chain returns.

use baton_core::conventions::{ErrorType, classify_error};
use std::error::Error as StdError;

/// How deep an error's source chain is followed.
const MAX_DEPTH: usize = 16;

/// Classifies an error for `error.type`: reqwest's own classification (`timeout`,
/// `connect`, `request`, `body`, `redirect`) for a reqwest error, found directly or in a
/// middleware error's source chain; otherwise [`classify_error`] on the source chain.
pub(crate) fn error_type(error: &reqwest_middleware::Error) -> ErrorType {
    match error {
        reqwest_middleware::Error::Reqwest(e) => {
            reqwest_error_type(e).unwrap_or_else(|| classify_error(e))
        }
        reqwest_middleware::Error::Middleware(e) => {
            let e: &(dyn StdError + 'static) = e.as_ref();
            chain(e)
                .find_map(nested_error_type)
                .unwrap_or_else(|| classify_error(e))
        }
    }
}

fn nested_error_type(error: &(dyn StdError + 'static)) -> Option<ErrorType> {
    if let Some(e) = error.downcast_ref::<reqwest::Error>() {
        return reqwest_error_type(e);
    }
    // `reqwest_middleware::Error` is transparent: its `source` skips the error it wraps.
    match error.downcast_ref::<reqwest_middleware::Error>()? {
        reqwest_middleware::Error::Reqwest(e) => reqwest_error_type(e),
        reqwest_middleware::Error::Middleware(e) => {
            chain(e.as_ref()).skip(1).find_map(nested_error_type)
        }
    }
}

fn reqwest_error_type(e: &reqwest::Error) -> Option<ErrorType> {
    if e.is_timeout() {
        Some(ErrorType::Timeout)
    } else if e.is_connect() {
        Some(ErrorType::Connect)
    } else if e.is_request() {
        Some(ErrorType::Request)
    } else if e.is_body() {
        Some(ErrorType::Body)
    } else if e.is_redirect() {
        Some(ErrorType::Redirect)
    } else {
        None
    }
}

fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&e| e.source()).take(MAX_DEPTH)
}

/// The error and its sources as one line (`error sending request for url (…): client error
/// (Connect): …`), each message once. [`ClientExchange::on_error`] redacts the URLs in it
/// and bounds its length.
///
/// [`ClientExchange::on_error`]: baton_core::exchange::ClientExchange::on_error
pub(crate) fn message(error: &reqwest_middleware::Error) -> String {
    let mut text = error.to_string();
    let mut last = text.clone();
    for e in chain(error).skip(1) {
        let part = e.to_string();
        // Error wrappers often repeat their source's message; say it once.
        if !part.is_empty() && part != last {
            text.push_str(": ");
            text.push_str(&part);
        }
        last = part;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt;

    #[derive(Debug)]
    struct Wrapper(std::io::Error);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("middleware failed")
        }
    }

    impl StdError for Wrapper {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn middleware_errors_fall_back_to_the_source_chain() {
        let refused = reqwest_middleware::Error::middleware(Wrapper(
            std::io::ErrorKind::ConnectionRefused.into(),
        ));
        assert_eq!(error_type(&refused), ErrorType::Connect);
        let other = reqwest_middleware::Error::middleware(Wrapper(std::io::Error::other("boom")));
        assert_eq!(error_type(&other), ErrorType::Other);
        assert_eq!(message(&other), "middleware failed: boom");
    }
}
