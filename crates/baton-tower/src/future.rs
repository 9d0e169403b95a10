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
use crate::tracked::Tracked;
use baton_core::instrument::Outcome;

pin_project! {
    /// The future the server and client services return: the inner future, polled with the
    /// exchange's context attached.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        cx: Context,
        tracked: Option<Tracked>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, cx: Context, tracked: Option<Tracked>) -> Self {
        ResponseFuture { inner, cx, tracked }
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
    R: Body,
    E: 'static,
{
    type Output = Result<Response<ResponseBody<R>>, E>;

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
                if let Some(mut tracked) = this.tracked.take() {
                    tracked.finish(Outcome::Panicked);
                }
                resume_unwind(panic)
            }
        };
        let mut tracked = this.tracked.take();
        match result {
            Ok(mut response) => {
                if let Some(t) = tracked.as_mut() {
                    t.on_response(&mut response);
                }
                // The future is done: its context moves into the body.
                let cx = std::mem::take(this.cx);
                Poll::Ready(Ok(response.map(|b| ResponseBody::new(b, tracked, cx))))
            }
            Err(error) => {
                if let Some(mut t) = tracked {
                    t.on_error(&error);
                    t.finish(Outcome::ServiceError);
                }
                Poll::Ready(Err(error))
            }
        }
    }
}
