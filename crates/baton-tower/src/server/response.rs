//! The server side's response future and body, named.

use super::traced::TracedRequest;

/// The future a [`ServerService`](super::ServerService) returns.
pub type ServerFuture<F> = crate::future::ResponseFuture<F, TracedRequest>;

/// The response body of a traced server request: the span ends when it has been sent.
pub type ServerBody<B> = crate::body::ResponseBody<B, TracedRequest>;
