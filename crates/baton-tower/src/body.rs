//! [`ResponseBody`]: ends the span when the last byte has been sent (server) or read (client).

use http_body::{Body, Frame, SizeHint};
use opentelemetry::Context;
use pin_project_lite::pin_project;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::in_flight::InFlight;
use baton_core::exchange::Outcome;

pin_project! {
    /// The response body of a traced exchange. It counts the bytes that pass and ends the
    /// span at the end of the stream (after the trailers, if any), on a body error, or when
    /// dropped before the end (on a server: the client went away).
    ///
    /// While a body of unknown length is polled, the exchange's context is attached, so
    /// code producing the stream sees it. A body whose exact length is known when the
    /// response is made (a `String`, `Bytes`, JSON) is already in memory: it is polled
    /// without attaching, which saves a context switch per frame.
    ///
    /// `X` is the side's exchange ([`ServerBody`](crate::server::ServerBody),
    /// [`ClientBody`](crate::client::ClientBody)).
    pub struct ResponseBody<B, X> {
        #[pin]
        inner: B,
        state: Option<X>,
        cx: Context,
        attach: bool,
    }
}

impl<B: Body, X: InFlight> ResponseBody<B, X> {
    pub(crate) fn new(inner: B, mut state: Option<X>, cx: Context) -> Self {
        if inner.is_end_stream()
            && let Some(state) = state.as_mut()
        {
            state.finish(Outcome::Completed);
        }
        let attach = inner.size_hint().exact().is_none();
        ResponseBody {
            inner,
            state,
            cx,
            attach,
        }
    }
}

impl<B: std::fmt::Debug, X> std::fmt::Debug for ResponseBody<B, X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("inner", &self.inner)
            .field("traced", &self.state.is_some())
            .field("attach", &self.attach)
            .finish_non_exhaustive()
    }
}

impl<B, X> Body for ResponseBody<B, X>
where
    B: Body,
    B::Error: std::fmt::Display,
    X: InFlight,
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
            let _attached = this.attach.then(|| this.cx.clone().attach());
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
                    } else if let Some(trailers) = frame.trailers_ref() {
                        state.on_trailers(trailers);
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

#[cfg(test)]
mod tests {
    use super::*;
    use baton_core::exchange::ClientExchange;

    /// A one-frame body that reports the trace id current while it is polled.
    struct Probe {
        exact: bool,
        seen: std::sync::Arc<std::sync::Mutex<Option<opentelemetry::trace::TraceId>>>,
    }

    impl Body for Probe {
        type Data = bytes::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut TaskContext<'_>,
        ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
            use opentelemetry::trace::TraceContextExt;
            let id = Context::map_current(|cx| cx.span().span_context().trace_id());
            *self.seen.lock().unwrap() = Some(id);
            Poll::Ready(None)
        }

        fn size_hint(&self) -> SizeHint {
            if self.exact {
                SizeHint::with_exact(0)
            } else {
                SizeHint::default()
            }
        }
    }

    #[test]
    fn context_is_attached_only_for_bodies_of_unknown_length() {
        use opentelemetry::trace::{
            SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
        };
        let trace_id = TraceId::from(7_u128);
        let cx = Context::new().with_remote_span_context(SpanContext::new(
            trace_id,
            SpanId::from(9_u64),
            TraceFlags::SAMPLED,
            true,
            TraceState::NONE,
        ));
        for (exact, expected) in [(false, trace_id), (true, TraceId::INVALID)] {
            let seen = std::sync::Arc::default();
            let body = ResponseBody::<_, ClientExchange>::new(
                Probe {
                    exact,
                    seen: std::sync::Arc::clone(&seen),
                },
                None,
                cx.clone(),
            );
            let mut body = std::pin::pin!(body);
            let waker = std::task::Waker::noop();
            let _ = body
                .as_mut()
                .poll_frame(&mut TaskContext::from_waker(waker));
            assert_eq!(
                *seen.lock().unwrap(),
                Some(expected),
                "exact length: {exact}"
            );
        }
    }

    #[test]
    fn debug_names_the_inner_body_and_whether_it_is_traced() {
        let body = ResponseBody::<_, ClientExchange>::new(
            http_body_util::Full::new(bytes::Bytes::from_static(b"hi")),
            None,
            Context::new(),
        );
        let text = format!("{body:?}");
        assert!(text.starts_with("ResponseBody { inner: Full"), "{text}");
        assert!(text.contains("traced: false"), "{text}");
    }
}
