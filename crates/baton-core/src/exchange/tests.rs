//! The end of an exchange, checked on both sides with a real SDK: the decided rules
//! (panic, `exception`, `request cancelled`, error messages) hold for the server and the
//! client alike.

use http::{Extensions, HeaderMap, Method, Version};
use opentelemetry::trace::{SpanKind, Status, TracerProvider as _};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanProcessor};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use super::{
    ClientExchange, ClientRequest, ClientSettings, MetricsSource, Outcome, ServerExchange,
    ServerRequest, ServerSettings,
};
use crate::conventions::{ClientUrl, ErrorType, KnownMethods};

/// A request to `uri` the exchange tests start from: named by its method, HTTP/1.1, no
/// route, peer or link, nothing in the response naming the span. Tests change what they
/// need with `ServerRequest { .., ..server_request(..) }`.
pub(crate) fn server_request<'a>(
    method: &'a Method,
    uri: &'a http::Uri,
    headers: &'a HeaderMap,
    extensions: &'a Extensions,
) -> ServerRequest<'a> {
    ServerRequest {
        method: KnownMethods::default().classify(method),
        name: method.to_string().into(),
        route: None,
        uri,
        version: Version::HTTP_11,
        headers,
        extensions,
        peer: |_| None,
        default_scheme: "http",
        link: None,
        span_in_response: false,
    }
}

/// Keeps every ended span (the exchange and propagation tests' exporter).
#[derive(Clone, Debug, Default)]
pub(crate) struct Collect(pub(crate) Arc<Mutex<Vec<SpanData>>>);

impl SpanProcessor for Collect {
    fn on_start(&self, _: &mut opentelemetry_sdk::trace::Span, _: &Context) {}
    fn on_end(&self, span: SpanData) {
        self.0.lock().unwrap().push(span);
    }
    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(
        &self,
        _: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }
}

#[derive(Clone, Copy, Debug)]
enum Which {
    Server,
    Client,
}

/// Runs `f` on a fresh exchange of side `which`; returns its one span.
fn run(which: Which, f: impl FnOnce(&mut dyn FnMut(Step))) -> SpanData {
    let spans = Collect::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(spans.clone())
        .build();
    let tracer = provider.tracer("test");
    let headers = HeaderMap::new();
    let uri: http::Uri = "http://api.example/x".parse().unwrap();
    let extensions = Extensions::new();
    match which {
        Which::Server => {
            let settings = ServerSettings {
                metrics: MetricsSource::off(),
                ..ServerSettings::default()
            };
            let request = server_request(&Method::GET, &uri, &headers, &extensions);
            let x = ServerExchange::start(&tracer, Context::new(), &request, &settings);
            // The exchange is owned by the frame that may unwind, so its `Drop` sees a
            // panic, and ends an unfinished exchange when the steps are done.
            let _ = catch_unwind(AssertUnwindSafe(move || {
                let mut x = x;
                f(&mut |step| match step {
                    Step::Response(code) => x.on_response(code, &headers, &settings),
                    Step::Error(kind, message) => x.on_error(kind, message),
                    Step::Finish(outcome) => x.finish(outcome),
                    Step::Panic => panic!("the code running the exchange panicked"),
                });
            }));
        }
        Which::Client => {
            let settings = ClientSettings {
                metrics: MetricsSource::off(),
                ..ClientSettings::default()
            };
            let request = ClientRequest {
                method: &Method::GET,
                url: ClientUrl {
                    full: "http://api.example/x",
                    scheme: Some("http"),
                    host: Some("api.example"),
                    port: None,
                },
                extensions: &extensions,
                resend_count: 0,
            };
            let x = ClientExchange::start(&tracer, &Context::new(), request, &settings);
            let _ = catch_unwind(AssertUnwindSafe(move || {
                let mut x = x;
                f(&mut |step| match step {
                    Step::Response(code) => x.on_response(code, Version::HTTP_11),
                    Step::Error(kind, message) => x.on_error(kind, message),
                    Step::Finish(outcome) => x.finish(outcome),
                    Step::Panic => panic!("the code running the exchange panicked"),
                });
            }));
        }
    }
    let mut spans = spans.0.lock().unwrap();
    assert_eq!(spans.len(), 1, "exactly one span ends");
    let span = spans.pop().unwrap();
    let kind = match which {
        Which::Server => SpanKind::Server,
        Which::Client => SpanKind::Client,
    };
    assert_eq!(span.span_kind, kind);
    span
}

enum Step {
    Response(u16),
    Error(ErrorType, String),
    Finish(Outcome),
    /// Panics while the exchange is in flight: its `Drop` must finish it as panicked.
    Panic,
}

fn attr(span: &SpanData, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.clone())
}

fn event<'a>(span: &'a SpanData, name: &str) -> Option<&'a [KeyValue]> {
    span.events
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.attributes.as_slice())
}

fn exception(span: &SpanData) -> (String, String) {
    let attrs = event(span, "exception").expect("an exception event");
    let get = |k: &str| {
        attrs
            .iter()
            .find(|kv| kv.key.as_str() == k)
            .map(|kv| kv.value.to_string())
            .unwrap()
    };
    (get("exception.type"), get("exception.message"))
}

const BOTH: [Which; 2] = [Which::Server, Which::Client];

#[test]
fn a_panic_is_panicked_with_error_type_panic() {
    for which in BOTH {
        // Unfinished when the code running it panics: `Drop` during unwinding.
        let span = run(which, |step| {
            step(Step::Response(200));
            step(Step::Panic);
        });
        assert_eq!(span.status, Status::error("panicked"), "{which:?}");
        assert_eq!(attr(&span, "error.type"), Some(Value::from("panic")));
        assert!(event(&span, "exception").is_none());
    }
}

#[test]
fn a_service_error_has_its_type_and_a_redacted_capped_exception() {
    for which in BOTH {
        let message = format!(
            "connect to http://u:hunter2@api.example/x failed{}",
            "!".repeat(2000)
        );
        let span = run(which, |step| {
            step(Step::Error(ErrorType::Connect, message));
            step(Step::Finish(Outcome::ServiceError));
        });
        assert_eq!(attr(&span, "error.type"), Some(Value::from("connect")));
        let (kind, text) = exception(&span);
        assert_eq!(kind, "connect", "{which:?}");
        assert!(text.starts_with("connect to http://REDACTED:REDACTED@api.example/x"));
        assert!(text.len() <= super::MAX_ERROR_MESSAGE + '…'.len_utf8() && text.ends_with('…'));
        assert_eq!(span.status, Status::error(text));
    }
}

#[test]
fn a_service_error_of_an_unknown_type_is_named_by_it() {
    for which in BOTH {
        let span = run(which, |step| {
            step(Step::Error(
                ErrorType::Type("my::Error"),
                "my::Error".into(),
            ));
            step(Step::Finish(Outcome::ServiceError));
        });
        assert_eq!(attr(&span, "error.type"), Some(Value::from("my::Error")));
        assert_eq!(exception(&span), ("my::Error".into(), "my::Error".into()));
    }
}

#[test]
fn a_body_error_is_body_with_a_redacted_exception() {
    for which in BOTH {
        let span = run(which, |step| {
            step(Step::Response(200));
            step(Step::Finish(Outcome::BodyError(
                "reset while reading https://api.example/x?sig=s3cret".into(),
            )));
        });
        assert_eq!(attr(&span, "error.type"), Some(Value::from("body")));
        let (kind, text) = exception(&span);
        assert_eq!(kind, "body", "{which:?}");
        assert_eq!(
            text,
            "reset while reading https://api.example/x?sig=REDACTED"
        );
        assert_eq!(span.status, Status::error(text));
    }
}

#[test]
fn a_drop_before_or_after_the_head_is_cancelled_not_an_error() {
    for which in BOTH {
        for head in [None, Some(200)] {
            let span = run(which, |step| {
                if let Some(code) = head {
                    step(Step::Response(code));
                }
                // No finish: the exchange is dropped unfinished.
            });
            assert!(
                event(&span, "request cancelled").is_some(),
                "{which:?} {head:?}"
            );
            assert_eq!(span.status, Status::Unset);
            assert_eq!(attr(&span, "error.type"), None);
        }
    }
}

#[test]
fn status_rules_differ_by_side_and_finish_runs_once() {
    for (which, error) in [(Which::Server, None), (Which::Client, Some("404"))] {
        let span = run(which, |step| {
            step(Step::Response(404));
            step(Step::Finish(Outcome::Completed));
            step(Step::Finish(Outcome::Panicked));
        });
        assert_eq!(
            attr(&span, "error.type"),
            error.map(Value::from),
            "{which:?}"
        );
        assert_eq!(
            attr(&span, "http.response.status_code"),
            Some(Value::I64(404))
        );
        assert!(event(&span, "request cancelled").is_none());
    }
}
