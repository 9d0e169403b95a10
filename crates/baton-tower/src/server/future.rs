//! [`ResponseFuture`]: runs the inner service with the request's context attached, and
//! hands the span over to the response body.

use baton_core::propagation::format_traceparent;
use http::{HeaderValue, Response};
use http_body::Body;
use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;
use pin_project_lite::pin_project;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{ready, Context as TaskContext, Poll};

use super::body::ResponseBody;
use super::state::{Outcome, RequestState};

pin_project! {
    /// The future a [`ServerService`](super::ServerService) returns.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        cx: Context,
        state: Option<RequestState>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn traced(inner: F, state: RequestState) -> Self {
        ResponseFuture { inner, cx: state.cx.clone(), state: Some(state) }
    }

    pub(crate) fn untraced(inner: F, cx: Context) -> Self {
        ResponseFuture { inner, cx, state: None }
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
    R: Body,
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
                if let Some(mut state) = this.state.take() {
                    state.finish(Outcome::Panicked);
                }
                resume_unwind(panic)
            }
        };
        let Some(mut state) = this.state.take() else {
            return Poll::Ready(result.map(|r| r.map(|b| ResponseBody::new(b, None, this.cx.clone()))));
        };
        match result {
            Ok(mut response) => {
                state.status = Some(response.status().as_u16());
                on_response(&state, &mut response);
                Poll::Ready(Ok(response.map(|b| ResponseBody::new(b, Some(state), this.cx.clone()))))
            }
            Err(error) => {
                state.finish(Outcome::ServiceError(std::any::type_name::<E>()));
                Poll::Ready(Err(error))
            }
        }
    }
}

/// Response headers: captured ones on the span, and the trace returned to the caller.
fn on_response<R>(state: &RequestState, response: &mut Response<R>) {
    let config = state.config();
    let span = state.cx.span();
    if span.is_recording() && !config.response_headers.is_empty() {
        span.set_attributes(config.response_headers.capture(response.headers()).collect::<Vec<_>>());
    }
    if !config.server_timing && !config.traceresponse {
        return;
    }
    let Some(traceparent) = format_traceparent(span.span_context()) else { return };
    if config.server_timing {
        if let Ok(value) = HeaderValue::try_from(format!("trace;desc={traceparent}")) {
            response.headers_mut().append(http::header::HeaderName::from_static("server-timing"), value);
        }
    }
    if config.traceresponse {
        if let Ok(value) = HeaderValue::try_from(traceparent) {
            response.headers_mut().insert(http::header::HeaderName::from_static("traceresponse"), value);
        }
    }
}
