//! [`InFlight`]: what a [`ResponseFuture`](crate::ResponseFuture) and a
//! [`ResponseBody`](crate::ResponseBody) report to, implemented once per side
//! ([`TracedRequest`](crate::server::TracedRequest) on a server,
//! [`ClientExchange`](baton_core::exchange::ClientExchange) on a client), so the future and
//! the body are typed per side.

use baton_core::exchange::{ClientExchange, Outcome};
use http::Response;

pub(crate) mod sealed {
    /// Implemented by the two sides only, each in its own module.
    pub trait Sealed {}
}

/// An exchange in flight, as the response future and body drive it. Sealed: implemented
/// by the two sides only.
pub trait InFlight: sealed::Sealed {
    /// The inner service returned a response head (which the side may add headers to).
    fn on_response<B>(&mut self, response: &mut Response<B>);
    /// The inner service failed with `error`.
    fn on_error<E: 'static>(&mut self, error: &E);
    /// `n` more response body bytes passed.
    fn add_body_bytes(&mut self, n: u64);
    /// The response trailers passed (gRPC's `grpc-status` is there).
    fn on_trailers(&mut self, trailers: &http::HeaderMap);
    /// The exchange ended (once; later calls do nothing).
    fn finish(&mut self, outcome: Outcome);
}

impl sealed::Sealed for ClientExchange {}

/// The client side: the exchange itself.
impl InFlight for ClientExchange {
    fn on_response<B>(&mut self, response: &mut Response<B>) {
        if self.is_grpc() {
            self.on_grpc_response(response.status().as_u16(), response.headers());
        } else {
            ClientExchange::on_response(self, response.status().as_u16(), response.version());
        }
    }

    fn on_trailers(&mut self, trailers: &http::HeaderMap) {
        ClientExchange::on_trailers(self, trailers);
    }

    fn on_error<E: 'static>(&mut self, error: &E) {
        let (kind, message) = crate::errors::classify(error);
        ClientExchange::on_error(self, kind, message);
    }

    fn add_body_bytes(&mut self, n: u64) {
        ClientExchange::add_body_bytes(self, n);
    }

    fn finish(&mut self, outcome: Outcome) {
        ClientExchange::finish(self, outcome);
    }
}
