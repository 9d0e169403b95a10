//! The half of an exchange both sides share: from the moment its span has started to the
//! one place the span ends and the metrics are recorded. [`ServerExchange`] and
//! [`ClientExchange`] start their spans by their own conventions, then hand over to a
//! [`Recorder`], so the two sides cannot drift apart on what happens at the end:
//!
//! - status and `error.type`: by the side's status rule ([`server_status`],
//!   [`client_status`]) for a response; the error's own type for a service error; `body`
//!   for a body error; `panic` (status description `panicked`) for a panic;
//! - an `exception` event (`exception.type` = the `error.type` value, `exception.message`
//!   = the redacted, length-capped message) for a service error or a body error;
//! - a `request cancelled` event whenever the exchange is dropped before its end;
//! - `http.{side}.request.duration`, the body-size histograms and
//!   `http.{side}.active_requests`, with the same attributes at the start and the end;
//! - once only: a second `finish` does nothing, and dropping an unfinished exchange
//!   finishes it as [`Outcome::Dropped`] (or [`Outcome::Panicked`] while unwinding).
//!
//! [`ServerExchange`]: super::ServerExchange
//! [`ClientExchange`]: super::ClientExchange

use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use super::metrics::{HttpMetrics, Side};
use super::outcome::Outcome;
use crate::conventions::{
    ErrorType, UrlRedactor, attributes as attr, client_status, server_status,
};

/// The longest error message an exchange records, in bytes (an `…` marks a cut).
pub const MAX_ERROR_MESSAGE: usize = 1024;

/// The metric attributes an exchange keeps from its start: those of
/// `http.{side}.active_requests`, which also open the duration's (`B`: two inline on a
/// server, a `Vec` on a client, so the exchange the futures move stays small), and the one
/// the duration's end with (`http.route` on a server, `url.template` on a client).
pub(super) struct MetricAttributes<B> {
    pub(super) base: B,
    pub(super) last: Option<KeyValue>,
}

/// The attributes an exchange keeps for its metrics from the start: read as a slice by the
/// active-requests counter, moved into the duration's attributes at the end.
pub(super) trait MetricBase: AsRef<[KeyValue]> + IntoIterator<Item = KeyValue> {}

impl<B: AsRef<[KeyValue]> + IntoIterator<Item = KeyValue>> MetricBase for B {}

/// One exchange in flight, after its span started.
pub(super) struct Recorder<B: MetricBase> {
    side: Side,
    cx: Context,
    start: SystemTime,
    /// The instruments and the attributes kept for them; `None` when metrics are off.
    metrics: Option<(Arc<HttpMetrics>, MetricAttributes<B>)>,
    pub(super) status: Option<u16>,
    pub(super) protocol: Option<&'static str>,
    /// For `http.{side}.request.body.size`, when it is recorded.
    request_body_size: Option<u64>,
    /// Boxed: errors are rare, and the futures and bodies that carry an exchange are moved
    /// by value.
    error: Option<Box<(ErrorType, String)>>,
    body_bytes: u64,
    /// Scrubs URLs out of error messages (a reference count at most: see [`UrlRedactor`]).
    redactor: UrlRedactor,
    /// The response has no body whatever its status (a `HEAD` request's).
    pub(super) no_body: bool,
    done: bool,
}

impl<B: MetricBase> Recorder<B> {
    /// Takes over the exchange whose span is in `cx`, and counts it as active (with `active_requests` on). (Everything
    /// is passed in, so the exchange is built once where it is returned, not moved.)
    pub(super) fn new(
        side: Side,
        cx: Context,
        start: SystemTime,
        protocol: Option<&'static str>,
        request_body_size: Option<u64>,
        redactor: &UrlRedactor,
        metrics: Option<(&Arc<HttpMetrics>, MetricAttributes<B>)>,
    ) -> Self {
        let metrics = metrics.map(|(m, attributes)| {
            if let Some(active) = &m.active {
                active.add(1, attributes.base.as_ref());
            }
            (Arc::clone(m), attributes)
        });
        Recorder {
            side,
            cx,
            start,
            metrics,
            status: None,
            protocol,
            request_body_size,
            error: None,
            body_bytes: 0,
            redactor: redactor.clone(),
            no_body: false,
            done: false,
        }
    }

    pub(super) fn context(&self) -> &Context {
        &self.cx
    }

    pub(super) fn done(&self) -> bool {
        self.done
    }

    pub(super) fn on_error(&mut self, kind: ErrorType, message: String) {
        self.error = Some(Box::new((kind, error_message(&self.redactor, message))));
    }

    pub(super) fn add_body_bytes(&mut self, n: u64) {
        self.body_bytes += n;
    }

    /// `error.type` and the span status for `outcome`, by the side's rules.
    fn conclude(&mut self, outcome: Outcome) -> (Option<ErrorType>, Status) {
        match outcome {
            Outcome::ServiceError => {
                let (kind, message) = self
                    .error
                    .take()
                    .map_or((ErrorType::Other, String::new()), |e| *e);
                (Some(kind), Status::error(message))
            }
            Outcome::BodyError(message) => (
                Some(ErrorType::Body),
                Status::error(error_message(&self.redactor, message)),
            ),
            Outcome::Panicked => (Some(ErrorType::Panic), Status::error("panicked")),
            Outcome::Completed | Outcome::Dropped => match self.status {
                Some(code) => match self.side_status(code) {
                    s @ Status::Error { .. } => (Some(ErrorType::Status(code)), s),
                    s => (None, s),
                },
                None => (None, Status::Unset),
            },
        }
    }

    fn side_status(&self, code: u16) -> Status {
        match self.side {
            Side::Server => server_status(code),
            Side::Client => client_status(code),
        }
    }

    /// Ends the span and records the metrics, once; later calls do nothing.
    pub(super) fn finish(&mut self, outcome: Outcome) {
        if self.done {
            return;
        }
        self.done = true;
        // A response without a body (to `HEAD`, or 1xx, 204, 304) is complete once its
        // head is out: servers drop such a body unpolled.
        let outcome = match outcome {
            Outcome::Dropped if self.no_body || self.status.is_some_and(forbids_body) => {
                Outcome::Completed
            }
            outcome => outcome,
        };
        let end = SystemTime::now();
        let exception = matches!(outcome, Outcome::ServiceError | Outcome::BodyError(_));
        let cancelled = matches!(outcome, Outcome::Dropped);
        let (error_type, status) = self.conclude(outcome);

        let span = self.cx.span();
        if span.is_recording() {
            let code = self
                .status
                .map(|code| KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(code)));
            // A server knew its protocol at the start; a client learns it from the response.
            // `http.response.body.size` is Opt-In in the conventions: it comes with the
            // body-size histograms (`with_body_size_metrics`).
            let body_sizes = self
                .metrics
                .as_ref()
                .is_some_and(|(m, _)| m.response_size.is_some());
            let second = match self.side {
                Side::Server => self
                    .status
                    .filter(|_| body_sizes)
                    .map(|_| KeyValue::new(attr::HTTP_RESPONSE_BODY_SIZE, self.body_bytes as i64)),
                Side::Client => self
                    .protocol
                    .map(|version| KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, version)),
            };
            let error = error_type.map(|e| KeyValue::new(attr::ERROR_TYPE, e.as_str()));
            // One call, so one lock of the span.
            span.set_attributes([code, second, error].into_iter().flatten());
            if let (true, Some(kind), Status::Error { description }) =
                (exception, error_type, &status)
            {
                span.add_event(
                    "exception",
                    vec![
                        KeyValue::new(attr::EXCEPTION_TYPE, kind.as_str()),
                        KeyValue::new(attr::EXCEPTION_MESSAGE, description.clone()),
                    ],
                );
            }
            if cancelled {
                span.add_event("request cancelled", Vec::new());
            }
            span.set_status(status);
        }
        span.end_with_timestamp(end);
        self.record_metrics(end, error_type);
    }

    /// Records the duration (and the body sizes, and the end of the active request), once:
    /// the kept attributes are moved into the recording's list, not cloned.
    fn record_metrics(&mut self, end: SystemTime, error_type: Option<ErrorType>) {
        let Some((m, kept)) = self.metrics.take() else {
            return;
        };
        if let Some(active) = &m.active {
            active.add(-1, kept.base.as_ref());
        }
        // base + status, error.type, protocol, route or template: at most 6 on a server,
        // 8 on a client, never on the heap.
        let mut attrs = SmallVec::<[KeyValue; 8]>::new();
        attrs.extend(kept.base);
        if let Some(code) = self.status {
            attrs.push(KeyValue::new(
                attr::HTTP_RESPONSE_STATUS_CODE,
                i64::from(code),
            ));
        }
        if let Some(e) = error_type {
            attrs.push(KeyValue::new(attr::ERROR_TYPE, e.as_str()));
        }
        if let Some(v) = self.protocol {
            attrs.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, v));
        }
        attrs.extend(kept.last);
        let seconds = end
            .duration_since(self.start)
            .unwrap_or_default()
            .as_secs_f64();
        m.duration.record(seconds, &attrs);
        if let Some(h) = &m.response_size {
            h.record(self.body_bytes, &attrs);
        }
        if let (Some(h), Some(size)) = (&m.request_size, self.request_body_size) {
            h.record(size, &attrs);
        }
    }
}

impl<B: MetricBase> Drop for Recorder<B> {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Dropped
        };
        self.finish(outcome);
    }
}

/// Whether a response with status `code` never carries a body (RFC 9110, 6.4.1).
fn forbids_body(code: u16) -> bool {
    (100..200).contains(&code) || code == 204 || code == 304
}

/// An error message as exchanges record it: URLs redacted as in `url.full` (error texts
/// often name the URL), then cut to [`MAX_ERROR_MESSAGE`] bytes. Redacting first, so a cut
/// never leaves half a secret.
pub(super) fn error_message(redactor: &UrlRedactor, message: String) -> String {
    let mut message = match redactor.redact_text(&message) {
        Cow::Owned(redacted) => redacted,
        Cow::Borrowed(_) => message,
    };
    if message.len() > MAX_ERROR_MESSAGE {
        let mut end = MAX_ERROR_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_are_redacted_before_they_are_cut() {
        // The URL's password sits across the cut: redacting after cutting would leave
        // "u:hunt…" without the "@" that marks it as credentials.
        let pad = "x".repeat(MAX_ERROR_MESSAGE - 15);
        let message = format!("{pad} (http://u:hunter2@api.example/x?sig=s3cret)");
        let text = error_message(&UrlRedactor::default(), message);
        assert!(
            !text.contains("hunter2") && !text.contains("hunt"),
            "{text}"
        );
        assert!(text.len() <= MAX_ERROR_MESSAGE + '…'.len_utf8());
        assert!(text.ends_with('…'));

        let text = error_message(&UrlRedactor::default(), "é".repeat(2000));
        assert!(text.len() <= MAX_ERROR_MESSAGE + '…'.len_utf8() && text.ends_with('…'));
        assert_eq!(
            error_message(&UrlRedactor::default(), "short".into()),
            "short"
        );
    }
}
