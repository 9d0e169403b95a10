//! A client request in flight, and the one place its span ends and its metrics are recorded.

use baton_core::conventions::{attributes as attr, client_status, protocol_version, ErrorType};
use http::Response;
use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};
use std::sync::Arc;
use std::time::SystemTime;

use super::config::ClientConfig;
use super::errors::classify;
use crate::tracked::Outcome;

pub(crate) struct ClientState {
    cx: Context,
    config: Arc<ClientConfig>,
    start: SystemTime,
    /// `http.request.method`, `server.address`, `server.port`, `url.scheme`: the attributes of
    /// `http.client.active_requests`, and the start of the duration's.
    base: Vec<KeyValue>,
    template: Option<KeyValue>,
    status: Option<u16>,
    protocol: Option<&'static str>,
    error: Option<(ErrorType, String)>,
    pub(crate) body_bytes: u64,
    done: bool,
}

impl ClientState {
    pub(crate) fn new(cx: Context, config: Arc<ClientConfig>, start: SystemTime, base: Vec<KeyValue>, template: Option<KeyValue>) -> Self {
        if let Some(m) = config.metrics.get() {
            m.active.add(1, &base);
        }
        ClientState { cx, config, start, base, template, status: None, protocol: None, error: None, body_bytes: 0, done: false }
    }

    pub(crate) fn on_response<B>(&mut self, response: &mut Response<B>) {
        self.status = Some(response.status().as_u16());
        self.protocol = protocol_version(response.version());
    }

    pub(crate) fn on_error<E: 'static>(&mut self, error: &E) {
        self.error = Some(classify(error));
    }

    pub(crate) fn finish(&mut self, outcome: Outcome) {
        if self.done {
            return;
        }
        self.done = true;
        let end = SystemTime::now();
        let (error_type, status): (Option<&'static str>, Status) = match &outcome {
            Outcome::ServiceError => {
                let (kind, message) = self.error.take().unwrap_or((ErrorType::Other, String::new()));
                (Some(kind.as_str()), Status::error(message))
            }
            Outcome::BodyError(message) => (Some(ErrorType::Body.as_str()), Status::error(message.clone())),
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
            let mut attributes = Vec::with_capacity(3);
            if let Some(code) = self.status {
                attributes.push(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(code)));
            }
            if let Some(version) = self.protocol {
                attributes.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, version));
            }
            if let Some(e) = error_type {
                attributes.push(KeyValue::new(attr::ERROR_TYPE, e));
            }
            span.set_attributes(attributes);
            if let (Outcome::ServiceError, Status::Error { description }) = (&outcome, &status) {
                span.add_event(
                    "exception",
                    vec![KeyValue::new(attr::EXCEPTION_TYPE, error_type.unwrap_or("_OTHER")), KeyValue::new(attr::EXCEPTION_MESSAGE, description.clone())],
                );
            }
            if matches!(outcome, Outcome::Dropped) && self.status.is_none() {
                span.add_event("request cancelled", Vec::new());
            }
            span.set_status(status);
        }
        span.end_with_timestamp(end);

        if let Some(m) = self.config.metrics.get() {
            m.active.add(-1, &self.base);
            let mut attrs = self.base.clone();
            if let Some(code) = self.status {
                attrs.push(KeyValue::new(attr::HTTP_RESPONSE_STATUS_CODE, i64::from(code)));
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
            m.duration.record(end.duration_since(self.start).unwrap_or_default().as_secs_f64(), &attrs);
            if let Some(h) = &m.response_size {
                h.record(self.body_bytes, &attrs);
            }
        }
    }
}

impl Drop for ClientState {
    fn drop(&mut self) {
        let outcome = if std::thread::panicking() { Outcome::Panicked } else { Outcome::Dropped };
        self.finish(outcome);
    }
}
