//! [`ResponseFuture`]: runs the inner service with the exchange's context attached, and
//! hands the span over to the response body.

use http::Response;
use http_body::Body;
use opentelemetry::Context;
use pin_project_lite::pin_project;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use crate::body::ResponseBody;
use crate::in_flight::InFlight;
use baton_core::exchange::Outcome;

pin_project! {
    /// The future the server and client services return: the inner future, polled with the
    /// exchange's context attached. `X` is the side's exchange
    /// ([`ServerFuture`](crate::server::ServerFuture),
    /// [`ClientFuture`](crate::client::ClientFuture)).
    pub struct ResponseFuture<F, X> {
        #[pin]
        inner: F,
        cx: Context,
        exchange: Option<X>,
    }
}

impl<F, X> ResponseFuture<F, X> {
    pub(crate) fn new(inner: F, cx: Context, exchange: Option<X>) -> Self {
        ResponseFuture {
            inner,
            cx,
            exchange,
        }
    }
}

impl<F, R, E, X> Future for ResponseFuture<F, X>
where
    F: Future<Output = Result<Response<R>, E>>,
    R: Body,
    E: 'static,
    X: InFlight,
{
    type Output = Result<Response<ResponseBody<R, X>>, E>;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let polled = {
            let _attached = this.cx.clone().attach();
            let inner = this.inner;
            catch_unwind(AssertUnwindSafe(|| inner.poll(task)))
        };
        let result = match polled {
            Ok(poll) => ready!(poll),
            Err(panic) => {
                if let Some(mut exchange) = this.exchange.take() {
                    exchange.finish(Outcome::Panicked);
                }
                resume_unwind(panic)
            }
        };
        let mut exchange = this.exchange.take();
        match result {
            Ok(mut response) => {
                if let Some(x) = exchange.as_mut() {
                    x.on_response(&mut response);
                }
                // The future is done: its context moves into the body.
                let cx = std::mem::take(this.cx);
                Poll::Ready(Ok(response.map(|b| ResponseBody::new(b, exchange, cx))))
            }
            Err(error) => {
                if let Some(mut x) = exchange {
                    x.on_error(&error);
                    x.finish(Outcome::ServiceError);
                }
                Poll::Ready(Err(error))
            }
        }
    }
}
