//! The per-request state a [`ResponseFuture`](crate::ResponseFuture) and
//! [`ResponseBody`](crate::ResponseBody) carry, for either side of a call.

use baton_core::instrument::{ClientExchange, Outcome};
use http::Response;

use crate::client::errors::classify;
use crate::server::state::RequestState;

/// A server or a client exchange in flight.
pub(crate) enum Tracked {
    Server(RequestState),
    Client(ClientExchange),
}

impl Tracked {
    pub(crate) fn on_response<B>(&mut self, response: &mut Response<B>) {
        match self {
            Tracked::Server(s) => s.on_response(response),
            Tracked::Client(c) => c.on_response(response.status().as_u16(), response.version()),
        }
    }

    pub(crate) fn on_error<E: 'static>(&mut self, error: &E) {
        match self {
            Tracked::Server(s) => s.on_error::<E>(),
            Tracked::Client(c) => {
                let (kind, message) = classify(error);
                c.on_error(kind, message);
            }
        }
    }

    pub(crate) fn add_body_bytes(&mut self, n: u64) {
        match self {
            Tracked::Server(s) => s.body_bytes += n,
            Tracked::Client(c) => c.add_body_bytes(n),
        }
    }

    pub(crate) fn finish(&mut self, outcome: Outcome) {
        match self {
            Tracked::Server(s) => s.finish(outcome),
            Tracked::Client(c) => c.finish(outcome),
        }
    }
}
