//! [`ResponseBody`]: ends the span when the last byte has been sent (server) or read (client).

use http_body::{Body, Frame, SizeHint};
use opentelemetry::Context;
use pin_project_lite::pin_project;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::tracked::Tracked;
use baton_core::instrument::Outcome;

pin_project! {
    /// The response body of a traced exchange. It counts the bytes that pass and ends the
    /// span at the end of the stream (after the trailers, if any), on a body error, or when
    /// dropped before the end (on a server: the client went away).
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        state: Option<Tracked>,
        cx: Context,
    }
}

impl<B: Body> ResponseBody<B> {
    pub(crate) fn new(inner: B, mut state: Option<Tracked>, cx: Context) -> Self {
        if inner.is_end_stream() {
            if let Some(state) = state.as_mut() {
                state.finish(Outcome::Completed);
            }
        }
        ResponseBody { inner, state, cx }
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        task: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let mut inner = this.inner;
        let polled = {
            let _attached = this.cx.clone().attach();
            catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll_frame(task)))
        };
        let frame = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(frame)) => frame,
            Err(panic) => {
                if let Some(mut state) = this.state.take() {
                    state.finish(Outcome::Panicked);
                }
                resume_unwind(panic)
            }
        };
        if let Some(state) = this.state.as_mut() {
            match &frame {
                None => state.finish(Outcome::Completed),
                Some(Err(e)) => state.finish(Outcome::BodyError(e.to_string())),
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        state.add_body_bytes(bytes::Buf::remaining(data) as u64);
                    }
                    // hyper stops polling a body that says it has ended: end the span now.
                    if inner.is_end_stream() {
                        state.finish(Outcome::Completed);
                    }
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
