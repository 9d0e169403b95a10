//! HTTP metric names, units and the advised histogram buckets.

/// `http.server.request.duration`: histogram, seconds.
pub const HTTP_SERVER_REQUEST_DURATION: &str = "http.server.request.duration";
/// `http.server.active_requests`: up-down counter, `{request}`.
pub const HTTP_SERVER_ACTIVE_REQUESTS: &str = "http.server.active_requests";
/// `http.server.request.body.size`: histogram, bytes (opt-in).
pub const HTTP_SERVER_REQUEST_BODY_SIZE: &str = "http.server.request.body.size";
/// `http.server.response.body.size`: histogram, bytes (opt-in).
pub const HTTP_SERVER_RESPONSE_BODY_SIZE: &str = "http.server.response.body.size";
/// `http.client.request.duration`: histogram, seconds.
pub const HTTP_CLIENT_REQUEST_DURATION: &str = "http.client.request.duration";
/// `http.client.active_requests`: up-down counter, `{request}`.
pub const HTTP_CLIENT_ACTIVE_REQUESTS: &str = "http.client.active_requests";
/// `http.client.request.body.size`: histogram, bytes (opt-in).
pub const HTTP_CLIENT_REQUEST_BODY_SIZE: &str = "http.client.request.body.size";
/// `http.client.response.body.size`: histogram, bytes (opt-in).
pub const HTTP_CLIENT_RESPONSE_BODY_SIZE: &str = "http.client.response.body.size";

/// Unit of the duration histograms.
pub const UNIT_SECONDS: &str = "s";
/// Unit of the body-size histograms.
pub const UNIT_BYTES: &str = "By";
/// Unit of the active-request counters.
pub const UNIT_REQUESTS: &str = "{request}";

/// The explicit bucket boundaries the conventions advise for the duration histograms.
pub const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
