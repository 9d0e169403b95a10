//! The per-request state a [`ResponseFuture`](crate::ResponseFuture) and
//! [`ResponseBody`](crate::ResponseBody) carry, for either side of a call.

use http::Response;

use crate::client::state::ClientState;
use crate::server::state::RequestState;

/// How a traced exchange ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The response body finished streaming (or was empty).
    Completed,
    /// The inner service returned an error instead of a response.
    ServiceError,
    /// The response body returned an error while streaming.
    BodyError(String),
    /// The service or the body panicked.
    Panicked,
    /// The future or the body was dropped before the end.
    Dropped,
}

/// A server or a client exchange in flight.
pub(crate) enum Tracked {
    Server(RequestState),
    Client(ClientState),
}

impl Tracked {
    pub(crate) fn on_response<B>(&mut self, response: &mut Response<B>) {
        match self {
            Tracked::Server(s) => s.on_response(response),
            Tracked::Client(c) => c.on_response(response),
        }
    }

    pub(crate) fn on_error<E: 'static>(&mut self, error: &E) {
        match self {
            Tracked::Server(s) => s.on_error::<E>(),
            Tracked::Client(c) => c.on_error(error),
        }
    }

    pub(crate) fn add_body_bytes(&mut self, n: u64) {
        match self {
            Tracked::Server(s) => s.body_bytes += n,
            Tracked::Client(c) => c.body_bytes += n,
        }
    }

    pub(crate) fn finish(&mut self, outcome: Outcome) {
        match self {
            Tracked::Server(s) => s.finish(outcome),
            Tracked::Client(c) => c.finish(outcome),
        }
    }
}
