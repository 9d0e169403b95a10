//! What a traced request carries from its start to the end of its response body, and the
//! one place its span ends and its metrics are recorded.

use baton_core::conventions::{ErrorType, attributes as attr, server_status};
use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use super::config::Config;
use baton_core::instrument::{AttributeBuf, Outcome};
use baton_core::propagation::format_traceparent;
use http::{HeaderValue, Response};

pub(crate) struct RequestState {
    pub(crate) cx: Context,
    config: Arc<Config>,
    start: SystemTime,
    method: KeyValue,
    scheme: KeyValue,
    route: Option<KeyValue>,
    protocol: Option<&'static str>,
    request_body_size: Option<u64>,
    pub(crate) status: Option<u16>,
    pub(crate) body_bytes: u64,
    service_error: Option<&'static str>,
    done: bool,
}

impl RequestState {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        cx: Context,
        config: Arc<Config>,
        start: SystemTime,
        method: KeyValue,
        scheme: KeyValue,
        route: Option<KeyValue>,
        protocol: Option<&'static str>,
        request_body_size: Option<u64>,
    ) -> Self {
        if let Some(active) = config.metrics.get().and_then(|m| m.active.as_ref()) {
            active.add(1, &[method.clone(), scheme.clone()]);
        }
        RequestState {
            cx,
            config,
            start,
            method,
            scheme,
            route,
            protocol,
            request_body_size,
            status: None,
            body_bytes: 0,
            service_error: None,
            done: false,
        }
    }

    /// Response headers: the status, captured headers on the span, and the trace returned
    /// to the caller.
    pub(crate) fn on_response<B>(&mut self, response: &mut Response<B>) {
        self.status = Some(response.status().as_u16());
        let config = &*self.config;
        let span = self.cx.span();
        if span.is_recording() && !config.response_headers.is_empty() {
            span.set_attributes(
                config
                    .response_headers
                    .capture(response.headers(), &config.redactor),
            );
        }
        if !config.server_timing && !config.traceresponse {
            return;
        }
        let Some(traceparent) = format_traceparent(span.span_context()) else {
            return;
        };
        if config.server_timing {
            if let Ok(value) = HeaderValue::try_from(format!("trace;desc={traceparent}")) {
                response.headers_mut().append(
                    http::header::HeaderName::from_static("server-timing"),
                    value,
                );
            }
        }
        if config.traceresponse {
            if let Ok(value) = HeaderValue::try_from(traceparent) {
                response.headers_mut().insert(
                    http::header::HeaderName::from_static("traceresponse"),
                    value,
                );
            }
        }
    }

    /// The inner service failed: `error.type` is the error's type name.
    pub(crate) fn on_error<E>(&mut self) {
        self.service_error = Some(std::any::type_name::<E>());
    }

    /// Ends the span and records the metrics, once.
    pub(crate) fn finish(&mut self, outcome: Outcome) {
        if self.done {
            return;
        }
        self.done = true;
        let end = SystemTime::now();
        let error_type: Option<Cow<'static, str>> = match &outcome {
            Outcome::Panicked => Some(ErrorType::Panic.as_str().into()),
            Outcome::ServiceError => Some(
                self.service_error
                    .unwrap_or(ErrorType::Other.as_str())
                    .into(),
            ),
            Outcome::BodyError(_) => Some(ErrorType::Body.as_str().into()),
            Outcome::Completed | Outcome::Dropped => match self.status {
                Some(code) if matches!(server_status(code), Status::Error { .. }) => {
                    Some(ErrorType::Status(code).as_str().into())
                }
                _ => None,
            },
        };

        let span = self.cx.span();
        if span.is_recording() {
            // One call, so one lock of the span.
            let status = self.status.map(|code| {
                [
                    KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(code)),
                    KeyValue::new(attr::HTTP_RESPONSE_BODY_SIZE, self.body_bytes as i64),
                ]
            });
            let error = error_type
                .as_ref()
                .map(|e| KeyValue::new(attr::ERROR_TYPE, e.clone()));
            span.set_attributes(status.into_iter().flatten().chain(error));
            match &outcome {
                Outcome::Panicked => span.set_status(Status::error("handler panicked")),
                Outcome::BodyError(message) => span.set_status(Status::error(message.clone())),
                Outcome::ServiceError => span.set_status(Status::error("")),
                Outcome::Completed | Outcome::Dropped => {
                    if let Some(code) = self.status {
                        span.set_status(server_status(code));
                    }
                }
            }
            if matches!(outcome, Outcome::Dropped) {
                span.add_event("request cancelled", Vec::new());
            }
        }
        span.end_with_timestamp(end);

        if let Some(m) = self.config.metrics.get() {
            let mut attrs = AttributeBuf::<6>::new();
            attrs.push(self.method.clone());
            attrs.push(self.scheme.clone());
            if let Some(active) = &m.active {
                active.add(-1, attrs.as_slice());
            }
            if let Some(code) = self.status {
                attrs.push(KeyValue::new(
                    attr::HTTP_RESPONSE_STATUS_CODE,
                    i64::from(code),
                ));
            }
            if let Some(route) = &self.route {
                attrs.push(route.clone());
            }
            if let Some(e) = error_type {
                attrs.push(KeyValue::new(attr::ERROR_TYPE, e));
            }
            if let Some(v) = self.protocol {
                attrs.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, v));
            }
            let seconds = end
                .duration_since(self.start)
                .unwrap_or_default()
                .as_secs_f64();
            m.duration.record(seconds, attrs.as_slice());
            if let Some(h) = &m.response_size {
                h.record(self.body_bytes, attrs.as_slice());
            }
            if let (Some(h), Some(size)) = (&m.request_size, self.request_body_size) {
                h.record(size, attrs.as_slice());
            }
        }
    }
}

impl Drop for RequestState {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Dropped
        };
        self.finish(outcome);
    }
}
