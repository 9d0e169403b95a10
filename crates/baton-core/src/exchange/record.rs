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

use http::HeaderMap;
use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use super::metrics::{HttpMetrics, Side};
use super::outcome::Outcome;
use crate::conventions::rpc::{self, GrpcCode};
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

/// Which conventions an exchange follows: HTTP's, or the RPC conventions for gRPC
/// (v1.44.0), where `status` holds the gRPC code and the end is told by `grpc-status`;
/// with what each needs that the other does not. (One field for both, as large as the
/// HTTP one alone: the futures and bodies that carry an exchange are moved by value, and
/// every byte is copied on every move.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flavour {
    /// The HTTP conventions: `status` is the HTTP status code.
    Http {
        /// For `http.server.request.body.size`, when it is recorded.
        request_body_size: Option<u64>,
    },
    /// The gRPC conventions: `status` is the gRPC code; a call still unfinished when its
    /// `grpc-timeout` deadline has passed ends `DEADLINE_EXCEEDED`.
    Grpc {
        /// When the call's `grpc-timeout` runs out, in milliseconds after the start (0:
        /// no timeout).
        deadline_ms: u32,
    },
}

impl Flavour {
    pub(super) fn is_grpc(&self) -> bool {
        matches!(self, Flavour::Grpc { .. })
    }
}

/// One exchange in flight, after its span started.
pub(super) struct Recorder<B: MetricBase> {
    side: Side,
    pub(super) flavour: Flavour,
    cx: Context,
    start: SystemTime,
    /// The instruments and the attributes kept for them; `None` when metrics are off.
    metrics: Option<(Arc<HttpMetrics>, MetricAttributes<B>)>,
    pub(super) status: Option<u16>,
    pub(super) protocol: Option<&'static str>,
    /// Boxed: errors are rare, and the futures and bodies that carry an exchange are moved
    /// by value. For gRPC, also the `grpc-message` of an error status (its type unused).
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
        flavour: Flavour,
        cx: Context,
        start: SystemTime,
        protocol: Option<&'static str>,
        redactor: &UrlRedactor,
        metrics: Option<(&Arc<HttpMetrics>, MetricAttributes<B>)>,
    ) -> Self {
        let metrics = metrics.map(|(m, attributes)| {
            // `http.{side}.active_requests` counts HTTP requests only: the RPC conventions
            // have no such metric.
            if let Flavour::Http { .. } = flavour {
                m.add_active(1, attributes.base.as_ref(), start);
            }
            (Arc::clone(m), attributes)
        });
        Recorder {
            side,
            flavour,
            cx,
            start,
            metrics,
            status: None,
            protocol,
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

    /// A gRPC response head: `grpc-status` in it (a trailers-only response) is the call's
    /// code; without one, a status other than 200 gives the code a client infers from it
    /// (a 200's code comes in the trailers).
    pub(super) fn grpc_head(&mut self, http_status: u16, headers: &HeaderMap) {
        self.grpc_trailers(headers);
        if self.status.is_none() {
            self.status = GrpcCode::from_http_status(http_status).map(|c| c as u16);
        }
    }

    /// gRPC trailers (or a trailers-only head): `grpc-status`, and `grpc-message` for an
    /// error's description. Does nothing for an HTTP exchange or without `grpc-status`.
    pub(super) fn grpc_trailers(&mut self, trailers: &HeaderMap) {
        if !self.flavour.is_grpc() {
            return;
        }
        let Some(value) = trailers.get("grpc-status") else {
            return;
        };
        let code = GrpcCode::from_header(value.as_bytes());
        self.status = Some(code as u16);
        if code != GrpcCode::Ok
            && let Some(message) = trailers.get("grpc-message")
        {
            let message = rpc::decode_grpc_message(message.as_bytes());
            self.on_error(ErrorType::Other, message);
        }
    }

    /// The gRPC code a call ended with, when no `grpc-status` says: `CANCELLED` when
    /// dropped before its end (the caller went away), `UNAVAILABLE` when the connection
    /// failed, `DEADLINE_EXCEEDED` for a timeout, else `UNKNOWN`. Whatever the code, a call
    /// that failed after its deadline passed ended `DEADLINE_EXCEEDED`.
    fn grpc_code(&self, outcome: &Outcome, end: SystemTime) -> GrpcCode {
        let code = match (self.status, outcome) {
            (Some(code), _) => GrpcCode::from_u32(u32::from(code)),
            (None, Outcome::Dropped) => GrpcCode::Cancelled,
            (None, Outcome::ServiceError) => match self.error.as_deref() {
                Some((ErrorType::Connect, _)) => GrpcCode::Unavailable,
                Some((ErrorType::Timeout, _)) => GrpcCode::DeadlineExceeded,
                _ => GrpcCode::Unknown,
            },
            (None, _) => GrpcCode::Unknown,
        };
        // Within 5 ms counts as passed: the span's clock and the timer that enforces the
        // deadline (tonic's, outside the layers, on the monotonic clock and the runtime's
        // millisecond timer wheel) are not the same; with 1 ms, a loaded machine saw a
        // server call cut by its deadline recorded as CANCELLED.
        let elapsed = end.duration_since(self.start).unwrap_or_default();
        let slack = std::time::Duration::from_millis(5);
        match self.flavour {
            Flavour::Grpc { deadline_ms }
                if deadline_ms > 0
                    && code != GrpcCode::Ok
                    && elapsed + slack >= std::time::Duration::from_millis(deadline_ms.into()) =>
            {
                GrpcCode::DeadlineExceeded
            }
            _ => code,
        }
    }

    /// `error.type` and the span status for `outcome`, by the side's rules.
    fn conclude(&mut self, outcome: Outcome, end: SystemTime) -> (Option<ErrorType>, Status) {
        if self.flavour.is_grpc() {
            return self.conclude_grpc(outcome, end);
        }
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

    /// `conclude` for a gRPC call: the code (see [`grpc_code`](Self::grpc_code)) is
    /// recorded; an error code by the side's rule sets `error.type` to its name and the
    /// status description to the `grpc-message` or the error's message. A panic or a body
    /// error keeps its own `error.type` (`panic`, `body`).
    fn conclude_grpc(&mut self, outcome: Outcome, end: SystemTime) -> (Option<ErrorType>, Status) {
        let code = self.grpc_code(&outcome, end);
        self.status = Some(code as u16);
        let error = match self.side {
            Side::Server => code.is_server_error(),
            Side::Client => code.is_client_error(),
        };
        let message = self.error.take().map(|e| e.1).unwrap_or_default();
        match outcome {
            Outcome::Panicked => (Some(ErrorType::Panic), Status::error("panicked")),
            Outcome::BodyError(message) => (
                Some(ErrorType::Body),
                Status::error(error_message(&self.redactor, message)),
            ),
            _ if error => (Some(ErrorType::Type(code.name())), Status::error(message)),
            _ => (None, Status::Unset),
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
        // head is out: servers drop such a body unpolled. (On a gRPC exchange `status`
        // holds the gRPC code, to which the HTTP rule does not apply.)
        let bodyless =
            self.no_body || (!self.flavour.is_grpc() && self.status.is_some_and(forbids_body));
        let outcome = match outcome {
            Outcome::Dropped if bodyless => Outcome::Completed,
            outcome => outcome,
        };
        let end = SystemTime::now();
        let exception = matches!(outcome, Outcome::ServiceError | Outcome::BodyError(_));
        let cancelled = matches!(outcome, Outcome::Dropped);
        let (error_type, status) = self.conclude(outcome, end);

        let span = self.cx.span();
        if span.is_recording() {
            // One call, so one lock of the span.
            span.set_attributes(self.end_attributes(error_type).into_iter().flatten());
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

    /// The attributes a span gets at its end. HTTP: `http.response.status_code`, then on a
    /// server `http.response.body.size` (Opt-In in the conventions: it comes with the
    /// body-size histograms, `with_body_size_metrics`), on a client
    /// `network.protocol.version` (a server knew it at the start; a client learns it from
    /// the response), and `error.type`. gRPC: `rpc.response.status_code` and `error.type`.
    #[inline(always)]
    fn end_attributes(&self, error_type: Option<ErrorType>) -> [Option<KeyValue>; 3] {
        let error = error_type.map(|e| KeyValue::new(attr::ERROR_TYPE, e.as_str()));
        if self.flavour.is_grpc() {
            let code = KeyValue::new(rpc::RPC_RESPONSE_STATUS_CODE, self.code().name());
            return [Some(code), error, None];
        }
        let code = self
            .status
            .map(|code| KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(code)));
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
        [code, second, error]
    }

    /// The gRPC code concluded (`UNKNOWN` before the end).
    fn code(&self) -> GrpcCode {
        self.status
            .map_or(GrpcCode::Unknown, |c| GrpcCode::from_u32(u32::from(c)))
    }

    /// `rpc.{side}.call.duration` with `rpc.system.name`, `rpc.method`,
    /// `rpc.response.status_code`, `error.type` and, on a client, `server.address` /
    /// `server.port`. A server call answered `UNIMPLEMENTED` was for a method the server
    /// does not know: its `rpc.method` is `_OTHER` here, so that callers cannot grow the
    /// metric without bound. (The span keeps the name it started with: the layer cannot
    /// know at the start, where the sampler needs it, and a span attribute cannot be
    /// replaced.)
    fn record_grpc_metrics(
        &self,
        m: &HttpMetrics,
        base: B,
        (seconds, end): (f64, SystemTime),
        error_type: Option<ErrorType>,
    ) {
        let code = self.code();
        let unknown = self.side == Side::Server && code == GrpcCode::Unimplemented;
        let mut attrs = SmallVec::<[KeyValue; 8]>::new();
        attrs.extend(base.into_iter().map(|kv| {
            if unknown && kv.key == rpc::RPC_METHOD {
                KeyValue::new(rpc::RPC_METHOD, rpc::OTHER_METHOD)
            } else {
                kv
            }
        }));
        attrs.push(KeyValue::new(rpc::RPC_RESPONSE_STATUS_CODE, code.name()));
        if let Some(e) = error_type {
            attrs.push(KeyValue::new(attr::ERROR_TYPE, e.as_str()));
        }
        m.record_rpc_duration(seconds, &attrs, end);
    }

    /// Records the duration (and the body sizes, and the end of the active request), once:
    /// the kept attributes are moved into the recording's list, not cloned.
    fn record_metrics(&mut self, end: SystemTime, error_type: Option<ErrorType>) {
        let Some((m, kept)) = self.metrics.take() else {
            return;
        };
        if self.flavour.is_grpc() {
            let seconds = end
                .duration_since(self.start)
                .unwrap_or_default()
                .as_secs_f64();
            self.record_grpc_metrics(&m, kept.base, (seconds, end), error_type);
            return;
        }
        m.add_active(-1, kept.base.as_ref(), end);
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
        m.record_duration(seconds, &attrs, end);
        m.record_response_size(self.body_bytes, &attrs, end);
        if let Flavour::Http {
            request_body_size: Some(size),
        } = self.flavour
        {
            m.record_request_size(size, &attrs, end);
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
