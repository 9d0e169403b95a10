//! The client side's response future and body, named.

/// The future a [`ClientService`](super::ClientService) returns.
pub type ClientFuture<F> = crate::future::ResponseFuture<F, baton_core::exchange::ClientExchange>;

/// The response body of a traced client attempt: the span ends when it has been read to
/// the end (or dropped).
pub type ClientBody<B> = crate::body::ResponseBody<B, baton_core::exchange::ClientExchange>;
