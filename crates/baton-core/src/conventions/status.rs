//! Span status and `error.type` rules.

use opentelemetry::trace::Status;

/// The span status for a server response: `Error` for 5xx (and codes outside 100..=599),
/// `Unset` otherwise, 4xx included since they are the client's error. No description: the
/// code says it.
///
/// ```
/// use baton_core::conventions::server_status;
/// use opentelemetry::trace::Status;
///
/// assert_eq!(server_status(503), Status::error(""));
/// assert_eq!(server_status(404), Status::Unset);
/// ```
pub fn server_status(code: u16) -> Status {
    if (100..500).contains(&code) {
        Status::Unset
    } else {
        Status::error("")
    }
}

/// The span status for a client response: `Error` for 4xx and 5xx (and codes outside
/// 100..=599), `Unset` otherwise.
///
/// ```
/// use baton_core::conventions::client_status;
/// use opentelemetry::trace::Status;
///
/// assert_eq!(client_status(404), Status::error(""));
/// assert_eq!(client_status(302), Status::Unset);
/// ```
pub fn client_status(code: u16) -> Status {
    if (100..400).contains(&code) {
        Status::Unset
    } else {
        Status::error("")
    }
}

/// All three-digit codes as one static string, so `error.type` for a status never allocates.
static CODES: [u8; 2700] = {
    let mut t = [0u8; 2700];
    let mut i = 0;
    while i < 900 {
        let code = i + 100;
        t[i * 3] = b'0' + (code / 100) as u8;
        t[i * 3 + 1] = b'0' + (code / 10 % 10) as u8;
        t[i * 3 + 2] = b'0' + (code % 10) as u8;
        i += 1;
    }
    t
};

/// The low-cardinality value of `error.type`.
///
/// ```
/// use baton_core::conventions::ErrorType;
///
/// assert_eq!(ErrorType::Status(503).as_str(), "503");
/// assert_eq!(ErrorType::Timeout.as_str(), "timeout");
/// assert_eq!(ErrorType::Status(42).as_str(), "_OTHER");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorType {
    /// An error status code, reported as the code itself (`"500"`).
    Status(u16),
    /// The request or response timed out (`timeout`).
    Timeout,
    /// The connection could not be made: refused, DNS, TLS handshake (`connect`).
    Connect,
    /// Sending the request failed (`request`).
    Request,
    /// Reading or writing a body failed (`body`).
    Body,
    /// Too many redirects, or an invalid one (`redirect`).
    Redirect,
    /// The code running the exchange panicked (`panic`).
    Panic,
    /// A service's own error type, named by [`std::any::type_name`]: what a tower service
    /// returns when its error is none of the types a layer understands.
    Type(&'static str),
    /// Anything else (`_OTHER`).
    Other,
}

impl ErrorType {
    /// The attribute value; static for every variant.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::Status(code @ 100..=999) => {
                let i = usize::from(code - 100) * 3;
                std::str::from_utf8(&CODES[i..i + 3]).unwrap_or(OTHER)
            }
            ErrorType::Status(_) | ErrorType::Other => OTHER,
            ErrorType::Timeout => "timeout",
            ErrorType::Connect => "connect",
            ErrorType::Request => "request",
            ErrorType::Body => "body",
            ErrorType::Redirect => "redirect",
            ErrorType::Panic => "panic",
            ErrorType::Type(name) => name,
        }
    }
}

const OTHER: &str = "_OTHER";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rules() {
        for code in [100, 200, 204, 301, 304, 399] {
            assert_eq!(server_status(code), Status::Unset);
            assert_eq!(client_status(code), Status::Unset);
        }
        for code in [400, 404, 499] {
            assert_eq!(server_status(code), Status::Unset);
            assert_eq!(client_status(code), Status::error(""));
        }
        for code in [500, 503, 599, 600, 999, 99] {
            assert_eq!(server_status(code), Status::error(""));
            assert_eq!(client_status(code), Status::error(""));
        }
    }

    #[test]
    fn every_code_has_its_static_string() {
        for code in 100..=999u16 {
            assert_eq!(ErrorType::Status(code).as_str(), code.to_string());
        }
        assert_eq!(ErrorType::Status(1000).as_str(), "_OTHER");
        assert_eq!(ErrorType::Other.as_str(), "_OTHER");
    }
}
