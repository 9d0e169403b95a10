//! How an exchange ended.

/// How a traced exchange ended, as the layers report it to
/// [`ServerExchange::finish`](super::ServerExchange::finish) and
/// [`ClientExchange::finish`](super::ClientExchange::finish).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The response arrived and its body (if the layer follows it) finished.
    Completed,
    /// The call failed with an error instead of a response (see `on_error`).
    ServiceError,
    /// The response body failed while streaming, with this message (redacted and cut
    /// like a service error's).
    BodyError(String),
    /// The code running the exchange panicked.
    Panicked,
    /// The exchange was dropped before its end: cancelled by its caller, or a body not read
    /// to the end.
    Dropped,
}
