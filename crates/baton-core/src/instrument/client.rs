//! [`ClientExchange`]: one client request attempt, from its span's start to the moment it
//! ends and its metrics are recorded. Both client layers (tower and reqwest) use it, so
//! they record exactly the same thing.

use http::{Method, Version};
use opentelemetry::trace::{SpanBuilder, SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, Value};
use std::time::SystemTime;

use super::{AttributeBuf, HttpMetrics, Outcome};
use crate::conventions::{
    ClientUrl, ErrorType, KnownMethods, UrlRedactor, UrlTemplate, attributes as attr,
    client_status, http_scheme, protocol_version, span_name, start_attributes,
};

/// Room for the attributes a client span usually gets (four or five at the start, two or
/// three in `finish`). A larger list costs more in the allocator than the rare growth.
const SPAN_ATTRIBUTES: usize = 7;

/// The longest error message [`ClientExchange::on_error`] records, in bytes (an `…` marks
/// a cut).
pub const MAX_ERROR_MESSAGE: usize = 1024;

/// What a client layer knows about an attempt before sending it.
#[derive(Clone, Copy, Debug)]
pub struct ClientRequest<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The request URL.
    pub url: ClientUrl<'a>,
    /// The URL template the caller gave, if any.
    pub template: Option<&'a UrlTemplate>,
    /// Attempts made before this one (0 for the first): `http.request.resend_count` when
    /// above 0.
    pub resend_count: u32,
}

/// One client request attempt in flight.
///
/// [`start`](Self::start) opens the `CLIENT` span (child of `parent`) with the start
/// attributes and counts the request as active; the layer injects
/// [`context`](Self::context) into the outgoing headers, reports the response or error,
/// and calls [`finish`](Self::finish), which sets status and `error.type` by the client
/// rules, ends the span and records `http.client.request.duration`. Dropping an unfinished
/// exchange finishes it as [`Outcome::Dropped`] (or [`Outcome::Panicked`] while unwinding),
/// so no path leaks an active request.
pub struct ClientExchange {
    cx: Context,
    metrics: Option<HttpMetrics>,
    start: SystemTime,
    /// Attributes of `http.client.active_requests`, and the start of the duration's:
    /// method, `server.address`, `server.port`, `url.scheme` (empty, never allocated, when
    /// metrics are off).
    base: Vec<KeyValue>,
    template: Option<KeyValue>,
    status: Option<u16>,
    protocol: Option<&'static str>,
    error: Option<(ErrorType, String)>,
    body_bytes: u64,
    /// Scrubs URLs out of error messages (no allocation for the default redactor).
    redactor: UrlRedactor,
    done: bool,
}

impl std::fmt::Debug for ClientExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientExchange")
            .field("status", &self.status)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ClientExchange {
    /// Starts the span and counts the request as active.
    pub fn start<T>(
        tracer: &T,
        parent: &Context,
        request: ClientRequest<'_>,
        known_methods: &KnownMethods,
        redactor: &UrlRedactor,
        metrics: Option<&HttpMetrics>,
    ) -> Self
    where
        T: Tracer,
        T::Span: Send + Sync + 'static,
    {
        let start = SystemTime::now();
        let method = known_methods.classify(request.method);
        let mut attributes = start_attributes(
            &method,
            request.url,
            request.template,
            redactor,
            SPAN_ATTRIBUTES,
            // An owned copy: measured cheaper than sharing it as `Arc<str>` (+3,100
            // instructions a request with the SDK 0.33, `scripts/bench_instructions.sh`).
            |host| Value::from(host.to_owned()),
        );
        if request.resend_count > 0 {
            attributes.push(KeyValue::new(
                attr::HTTP_REQUEST_RESEND_COUNT,
                i64::from(request.resend_count),
            ));
        }
        let mut base = Vec::new();
        if metrics.is_some() {
            base.reserve_exact(4);
            base.extend(
                attributes
                    .iter()
                    .filter(|kv| {
                        kv.key == attr::HTTP_REQUEST_METHOD
                            || kv.key == attr::SERVER_ADDRESS
                            || kv.key == attr::SERVER_PORT
                    })
                    .cloned(),
            );
            let scheme = match request.url.scheme {
                Some(s) => http_scheme(s).map_or_else(|| Value::from(s.to_owned()), Value::from),
                None => Value::from("http"),
            };
            base.push(KeyValue::new(attr::URL_SCHEME, scheme));
        }

        let name = span_name(&method, request.template.map(|t| t.0.as_ref()));
        let builder = SpanBuilder::from_name(name)
            .with_kind(SpanKind::Client)
            .with_start_time(start)
            .with_attributes(attributes);
        let cx = parent.with_span(tracer.build_with_context(builder, parent));
        let metrics = metrics.cloned();
        if let Some(active) = metrics.as_ref().and_then(|m| m.active.as_ref()) {
            active.add(1, &base);
        }
        // Only the duration metric reads it (the span has it already).
        let template = request
            .template
            .filter(|_| metrics.is_some())
            .map(|t| KeyValue::new(attr::URL_TEMPLATE, t.0.clone()));
        ClientExchange {
            cx,
            metrics,
            start,
            base,
            template,
            status: None,
            protocol: None,
            error: None,
            body_bytes: 0,
            redactor: redactor.clone(),
            done: false,
        }
    }

    /// The context holding the attempt's span: inject it into the request, attach it while
    /// the request is sent.
    pub fn context(&self) -> &Context {
        &self.cx
    }

    /// The response head arrived.
    pub fn on_response(&mut self, status: u16, version: Version) {
        self.status = Some(status);
        self.protocol = protocol_version(version);
    }

    /// The attempt failed with a transport error. URLs in `message` are redacted as in
    /// `url.full` (error texts often name the URL), then the text is cut to
    /// [`MAX_ERROR_MESSAGE`] bytes: redacting first, so a cut never leaves half a secret.
    pub fn on_error(&mut self, kind: ErrorType, message: impl Into<String>) {
        let message = message.into();
        let mut message = match self.redactor.redact_text(&message) {
            std::borrow::Cow::Owned(redacted) => redacted,
            std::borrow::Cow::Borrowed(_) => message,
        };
        if message.len() > MAX_ERROR_MESSAGE {
            let mut end = MAX_ERROR_MESSAGE;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
            message.push('…');
        }
        self.error = Some((kind, message));
    }

    /// Counts response body bytes read.
    pub fn add_body_bytes(&mut self, n: u64) {
        self.body_bytes += n;
    }

    /// Ends the span and records the metrics, once; later calls do nothing.
    pub fn finish(&mut self, outcome: Outcome) {
        if self.done {
            return;
        }
        self.done = true;
        let end = SystemTime::now();
        let (error_type, status): (Option<&'static str>, Status) = match &outcome {
            Outcome::ServiceError => {
                let (kind, message) = self
                    .error
                    .take()
                    .unwrap_or((ErrorType::Other, String::new()));
                (Some(kind.as_str()), Status::error(message))
            }
            Outcome::BodyError(message) => (
                Some(ErrorType::Body.as_str()),
                Status::error(message.clone()),
            ),
            Outcome::Panicked => (Some(ErrorType::Panic.as_str()), Status::error("panicked")),
            Outcome::Completed | Outcome::Dropped => match self.status {
                Some(code) => match client_status(code) {
                    s @ Status::Error { .. } => (Some(ErrorType::Status(code).as_str()), s),
                    s => (None, s),
                },
                None => (None, Status::Unset),
            },
        };

        let span = self.cx.span();
        if span.is_recording() {
            let attributes = [
                self.status
                    .map(|code| KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(code))),
                self.protocol
                    .map(|version| KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, version)),
                error_type.map(|e| KeyValue::new(attr::ERROR_TYPE, e)),
            ];
            span.set_attributes(attributes.into_iter().flatten());
            if let (Outcome::ServiceError, Status::Error { description }) = (&outcome, &status) {
                span.add_event(
                    "exception",
                    vec![
                        KeyValue::new(attr::EXCEPTION_TYPE, error_type.unwrap_or("_OTHER")),
                        KeyValue::new(attr::EXCEPTION_MESSAGE, description.clone()),
                    ],
                );
            }
            if matches!(outcome, Outcome::Dropped) && self.status.is_none() {
                span.add_event("request cancelled", Vec::new());
            }
            span.set_status(status);
        }
        span.end_with_timestamp(end);

        if let Some(m) = &self.metrics {
            if let Some(active) = &m.active {
                active.add(-1, &self.base);
            }
            // base (at most 4) + status, error.type, protocol, template.
            let mut attrs = AttributeBuf::<8>::new();
            for kv in &self.base {
                attrs.push(kv.clone());
            }
            if let Some(code) = self.status {
                attrs.push(KeyValue::new(
                    attr::HTTP_RESPONSE_STATUS_CODE,
                    i64::from(code),
                ));
            }
            if let Some(e) = error_type {
                attrs.push(KeyValue::new(attr::ERROR_TYPE, e));
            }
            if let Some(v) = self.protocol {
                attrs.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, v));
            }
            if let Some(t) = &self.template {
                attrs.push(t.clone());
            }
            m.duration.record(
                end.duration_since(self.start)
                    .unwrap_or_default()
                    .as_secs_f64(),
                attrs.as_slice(),
            );
            if let Some(h) = &m.response_size {
                h.record(self.body_bytes, attrs.as_slice());
            }
        }
    }
}

impl Drop for ClientExchange {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Dropped
        };
        self.finish(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::noop::NoopTracer;

    fn exchange() -> ClientExchange {
        ClientExchange::start(
            &NoopTracer::new(),
            &Context::new(),
            ClientRequest {
                method: &Method::GET,
                url: ClientUrl {
                    full: "http://api.example/x",
                    scheme: Some("http"),
                    host: Some("api.example"),
                    port: None,
                },
                template: None,
                resend_count: 0,
            },
            &KnownMethods::default(),
            &UrlRedactor::default(),
            None,
        )
    }

    #[test]
    fn error_messages_are_redacted_before_they_are_cut() {
        // The URL's password sits across the cut: redacting after cutting would leave
        // "u:hunt…" without the "@" that marks it as credentials.
        let pad = "x".repeat(MAX_ERROR_MESSAGE - 15);
        let message = format!("{pad} (http://u:hunter2@api.example/x?sig=s3cret)");
        let mut e = exchange();
        e.on_error(ErrorType::Connect, message);
        let (_, text) = e.error.clone().unwrap();
        assert!(
            !text.contains("hunter2") && !text.contains("hunt"),
            "{text}"
        );
        assert!(text.len() <= MAX_ERROR_MESSAGE + '…'.len_utf8());
        assert!(text.ends_with('…'));

        let mut e = exchange();
        e.on_error(ErrorType::Other, "é".repeat(2000));
        let (_, text) = e.error.clone().unwrap();
        assert!(text.len() <= MAX_ERROR_MESSAGE + '…'.len_utf8() && text.ends_with('…'));
    }
}
