//! The OpenTelemetry RPC semantic conventions for gRPC, as code, at semantic-conventions
//! **v1.44.0** (`docs/rpc/grpc.md`, `docs/rpc/rpc-spans.md`, `docs/rpc/rpc-metrics.md`):
//! attribute keys, metric names, the span name, the status-code names and which codes are
//! errors on each side, and the pieces of the gRPC-over-HTTP/2 wire format a layer reads
//! (`content-type`, `grpc-status`, `grpc-message`, `grpc-timeout`).
//!
//! ```
//! use baton_core::conventions::rpc::{self, GrpcCode};
//!
//! assert!(rpc::is_grpc_content_type(b"application/grpc+proto"));
//! assert!(!rpc::is_grpc_content_type(b"application/grpc-web"));
//! assert_eq!(rpc::grpc_method("/grpc.health.v1.Health/Check"), Some("grpc.health.v1.Health/Check"));
//! let code = GrpcCode::from_header(b"5");
//! assert_eq!(code.name(), "NOT_FOUND");
//! assert!(!code.is_server_error() && code.is_client_error());
//! ```

use opentelemetry::Key;
use std::time::Duration;

/// `rpc.system.name`: `grpc` for gRPC.
pub const RPC_SYSTEM_NAME: Key = Key::from_static_str("rpc.system.name");
/// `rpc.method`: the fully qualified method, `package.Service/Method`, or `_OTHER`.
pub const RPC_METHOD: Key = Key::from_static_str("rpc.method");
/// `rpc.method_original`: the method as received, when `rpc.method` is `_OTHER`.
pub const RPC_METHOD_ORIGINAL: Key = Key::from_static_str("rpc.method_original");
/// `rpc.response.status_code`: the status code's name (`OK`, `NOT_FOUND`, …).
pub const RPC_RESPONSE_STATUS_CODE: Key = Key::from_static_str("rpc.response.status_code");

/// The value of `rpc.system.name` for gRPC, and the span name when the method is `_OTHER`.
pub const GRPC: &str = "grpc";
/// `rpc.method` for a method that is not recognized.
pub const OTHER_METHOD: &str = "_OTHER";
/// The longest `rpc.method_original` recorded, in bytes (a peer chooses the path).
pub const MAX_METHOD_ORIGINAL: usize = 256;

/// `rpc.server.call.duration`: histogram, seconds.
pub const RPC_SERVER_CALL_DURATION: &str = "rpc.server.call.duration";
/// `rpc.client.call.duration`: histogram, seconds.
pub const RPC_CLIENT_CALL_DURATION: &str = "rpc.client.call.duration";
/// The bucket boundaries v1.44.0 gives both RPC duration histograms (the same as HTTP's).
pub const DURATION_BUCKETS: [f64; 14] = super::metrics::DURATION_BUCKETS;

/// Whether a `content-type` value is gRPC's: `application/grpc`, alone or followed by
/// `+codec` (`+proto`, `+json`, …) or `;parameters`. `application/grpc-web` is not (it is
/// a different protocol). A byte comparison, no allocation.
pub fn is_grpc_content_type(value: &[u8]) -> bool {
    const PREFIX: &[u8] = b"application/grpc";
    value.len() >= PREFIX.len()
        && value[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
        && matches!(value.get(PREFIX.len()), None | Some(b'+' | b';'))
}

/// Whether a request's headers say it is a gRPC call (`content-type`, see
/// [`is_grpc_content_type`]).
pub fn is_grpc_request(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| is_grpc_content_type(v.as_bytes()))
}

/// The fully qualified method of a gRPC request path: `/package.Service/Method` gives
/// `package.Service/Method`; `None` for a path of any other shape (no service, no method,
/// more segments, a query), which is recorded as `_OTHER`.
pub fn grpc_method(path: &str) -> Option<&str> {
    let method = path.strip_prefix('/')?;
    let (service, name) = method.split_once('/')?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    (valid(service) && valid(name)).then_some(method)
}

/// The span name of a gRPC span (rpc-spans.md, "Name"): `rpc.method`, or `grpc` when the
/// method is `_OTHER`.
pub fn grpc_span_name(method: Option<&str>) -> &str {
    method.unwrap_or(GRPC)
}

/// A gRPC status code (<https://github.com/grpc/grpc/blob/v1.75.0/doc/statuscodes.md>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs, reason = "the names are the spec's")]
pub enum GrpcCode {
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

const NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

const CODES: [GrpcCode; 17] = [
    GrpcCode::Ok,
    GrpcCode::Cancelled,
    GrpcCode::Unknown,
    GrpcCode::InvalidArgument,
    GrpcCode::DeadlineExceeded,
    GrpcCode::NotFound,
    GrpcCode::AlreadyExists,
    GrpcCode::PermissionDenied,
    GrpcCode::ResourceExhausted,
    GrpcCode::FailedPrecondition,
    GrpcCode::Aborted,
    GrpcCode::OutOfRange,
    GrpcCode::Unimplemented,
    GrpcCode::Internal,
    GrpcCode::Unavailable,
    GrpcCode::DataLoss,
    GrpcCode::Unauthenticated,
];

impl GrpcCode {
    /// The code numbered `n`; a number outside 0..=16 is `UNKNOWN` (as gRPC
    /// implementations read it), which keeps `rpc.response.status_code` low-cardinality.
    pub fn from_u32(n: u32) -> Self {
        usize::try_from(n)
            .ok()
            .and_then(|i| CODES.get(i).copied())
            .unwrap_or(GrpcCode::Unknown)
    }

    /// The code in a `grpc-status` value (decimal ASCII); anything else is `UNKNOWN`.
    pub fn from_header(value: &[u8]) -> Self {
        if value.is_empty() || value.len() > 3 || !value.iter().all(u8::is_ascii_digit) {
            return GrpcCode::Unknown;
        }
        let n = value
            .iter()
            .fold(0_u32, |n, d| n * 10 + u32::from(d - b'0'));
        GrpcCode::from_u32(n)
    }

    /// The code a client infers from an HTTP status when a response has no `grpc-status`
    /// (grpc/doc/http-grpc-status-mapping.md); `None` for 200, whose code comes later, in
    /// the trailers.
    pub fn from_http_status(status: u16) -> Option<Self> {
        Some(match status {
            200 => return None,
            400 => GrpcCode::Internal,
            401 => GrpcCode::Unauthenticated,
            403 => GrpcCode::PermissionDenied,
            404 => GrpcCode::Unimplemented,
            429 | 502 | 503 | 504 => GrpcCode::Unavailable,
            _ => GrpcCode::Unknown,
        })
    }

    /// The name recorded as `rpc.response.status_code` and, for an error, `error.type`.
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// An error on a server span (grpc.md, server `rpc.response.status_code` note):
    /// `UNKNOWN`, `DEADLINE_EXCEEDED`, `UNIMPLEMENTED`, `INTERNAL`, `UNAVAILABLE`,
    /// `DATA_LOSS`. The others are the caller's errors, not the server's.
    pub fn is_server_error(self) -> bool {
        matches!(
            self,
            GrpcCode::Unknown
                | GrpcCode::DeadlineExceeded
                | GrpcCode::Unimplemented
                | GrpcCode::Internal
                | GrpcCode::Unavailable
                | GrpcCode::DataLoss
        )
    }

    /// An error on a client span: every code but `OK`.
    pub fn is_client_error(self) -> bool {
        self != GrpcCode::Ok
    }
}

/// A `grpc-message` value decoded (percent-encoded UTF-8 on the wire); invalid escapes
/// are kept as they are and invalid UTF-8 replaced, never an error. Linear in the input.
pub fn decode_grpc_message(value: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let decoded = (value[i] == b'%')
            .then(|| Some(hex(*value.get(i + 1)?)? << 4 | hex(*value.get(i + 2)?)?))
            .flatten();
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(value[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `grpc-timeout` value (`TimeoutValue TimeoutUnit`: at most 8 digits, then one of
/// `H M S m u n`); `None` for anything else.
pub fn parse_grpc_timeout(value: &[u8]) -> Option<Duration> {
    let (&unit, digits) = value.split_last()?;
    if digits.is_empty() || digits.len() > 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0_u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some(match unit {
        b'H' => Duration::from_secs(n * 3600),
        b'M' => Duration::from_secs(n * 60),
        b'S' => Duration::from_secs(n),
        b'm' => Duration::from_millis(n),
        b'u' => Duration::from_micros(n),
        b'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for yes in [
            &b"application/grpc"[..],
            b"application/grpc+proto",
            b"application/grpc+json",
            b"Application/GRPC;charset=utf-8",
        ] {
            assert!(is_grpc_content_type(yes), "{yes:?}");
        }
        for no in [
            &b"application/grpc-web"[..],
            b"application/grpcx",
            b"application/json",
            b"application/grp",
            b"",
        ] {
            assert!(!is_grpc_content_type(no), "{no:?}");
        }
    }

    #[test]
    fn methods() {
        assert_eq!(grpc_method("/a.B/C"), Some("a.B/C"));
        assert_eq!(grpc_method("/EchoService/Echo"), Some("EchoService/Echo"));
        for bad in [
            "",
            "/",
            "a.B/C",
            "/a.B",
            "/a.B/",
            "//C",
            "/a/b/c",
            "/a.B/C?x=1",
            "/a B/C",
        ] {
            assert_eq!(grpc_method(bad), None, "{bad}");
        }
        assert_eq!(grpc_span_name(None), "grpc");
        assert_eq!(grpc_span_name(Some("a.B/C")), "a.B/C");
    }

    #[test]
    fn codes_and_their_sides() {
        for (n, name) in NAMES.iter().enumerate() {
            let code = GrpcCode::from_u32(n as u32);
            assert_eq!(code as usize, n);
            assert_eq!(code.name(), *name);
            assert_eq!(GrpcCode::from_header(n.to_string().as_bytes()), code);
        }
        let server: Vec<_> = CODES
            .iter()
            .filter(|c| c.is_server_error())
            .map(|c| c.name())
            .collect();
        assert_eq!(
            server,
            [
                "UNKNOWN",
                "DEADLINE_EXCEEDED",
                "UNIMPLEMENTED",
                "INTERNAL",
                "UNAVAILABLE",
                "DATA_LOSS"
            ]
        );
        assert_eq!(CODES.iter().filter(|c| c.is_client_error()).count(), 16);
        for bad in [&b"17"[..], b"", b"-1", b"1234", b"x", b"99999999999"] {
            assert_eq!(GrpcCode::from_header(bad), GrpcCode::Unknown, "{bad:?}");
        }
        assert_eq!(GrpcCode::from_http_status(200), None);
        assert_eq!(
            GrpcCode::from_http_status(404),
            Some(GrpcCode::Unimplemented)
        );
        assert_eq!(GrpcCode::from_http_status(503), Some(GrpcCode::Unavailable));
        assert_eq!(GrpcCode::from_http_status(500), Some(GrpcCode::Unknown));
    }

    #[test]
    fn messages_and_timeouts() {
        assert_eq!(decode_grpc_message(b"not%20found%3A%20x"), "not found: x");
        assert_eq!(decode_grpc_message(b"100%"), "100%");
        assert_eq!(decode_grpc_message(b"%zz%4"), "%zz%4");
        assert_eq!(decode_grpc_message(b"%C3%A9"), "é");
        assert_eq!(decode_grpc_message(b"%FF"), "\u{FFFD}");
        assert_eq!(
            parse_grpc_timeout(b"100m"),
            Some(Duration::from_millis(100))
        );
        assert_eq!(parse_grpc_timeout(b"2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse_grpc_timeout(b"1H"), Some(Duration::from_secs(3600)));
        for bad in [&b""[..], b"m", b"123456789S", b"10x", b"-1S", b"1.5S"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad:?}");
        }
    }
}
