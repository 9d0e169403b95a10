//! Baggage helpers, and a span processor that copies chosen baggage entries onto spans.
//!
//! Baggage travels with requests (the `baggage` header); these helpers set and read it in the
//! current context, within the W3C limits the OpenTelemetry API enforces (64 entries, 8,192
//! bytes: entries beyond are not added).

use opentelemetry::baggage::BaggageExt;
use opentelemetry::{Context, ContextGuard, Key, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
use std::time::Duration;

/// The current context with these entries added to its baggage (replacing same keys).
///
/// ```
/// use baton_sdk::baggage;
///
/// let cx = baggage::with_entries([("tenant.id", "acme"), ("user.id", "42")]);
/// let _guard = cx.attach();
/// assert_eq!(baggage::get("tenant.id").as_deref(), Some("acme"));
/// ```
pub fn with_entries<K, V>(entries: impl IntoIterator<Item = (K, V)>) -> Context
where
    K: Into<Key>,
    V: Into<opentelemetry::Value>,
{
    Context::map_current(|cx| {
        let mut baggage = cx.baggage().clone_entries();
        for (k, v) in entries {
            baggage.push(KeyValue::new(k, v));
        }
        cx.with_baggage(baggage)
    })
}

/// Adds the entries to the current context's baggage until the guard is dropped.
pub fn set<K, V>(entries: impl IntoIterator<Item = (K, V)>) -> ContextGuard
where
    K: Into<Key>,
    V: Into<opentelemetry::Value>,
{
    with_entries(entries).attach()
}

/// The value of a baggage entry in the current context.
pub fn get(key: &str) -> Option<String> {
    Context::map_current(|cx| cx.baggage().get(key).map(|v| v.as_str().to_owned()))
}

trait CloneEntries {
    fn clone_entries(&self) -> Vec<KeyValue>;
}

impl CloneEntries for opentelemetry::baggage::Baggage {
    fn clone_entries(&self) -> Vec<KeyValue> {
        self.iter()
            .map(|(k, (v, _))| KeyValue::new(k.clone(), v.clone()))
            .collect()
    }
}

/// Copies the baggage entries named in an allow-list onto every span as it starts, as
/// attributes of the same name, so traces can be searched by tenant or user. Only named keys
/// are copied: baggage comes from callers and may hold anything.
///
/// ```
/// use baton_sdk::baggage::BaggageSpanProcessor;
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(BaggageSpanProcessor::new(["tenant.id", "user.id"]))
///     .build();
/// ```
#[derive(Clone, Debug)]
pub struct BaggageSpanProcessor {
    keys: Vec<Key>,
}

impl BaggageSpanProcessor {
    /// Copies the entries with these keys.
    pub fn new<K: Into<Key>>(keys: impl IntoIterator<Item = K>) -> Self {
        BaggageSpanProcessor {
            keys: keys.into_iter().map(Into::into).collect(),
        }
    }
}

impl SpanProcessor for BaggageSpanProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        use opentelemetry::trace::Span as _;
        let baggage = cx.baggage();
        if baggage.is_empty() {
            return;
        }
        for key in &self.keys {
            if let Some(value) = baggage.get(key.as_str()) {
                span.set_attribute(KeyValue::new(key.clone(), value.clone()));
            }
        }
    }

    fn on_end(&self, _: SpanData) {}

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestTelemetry;
    use opentelemetry::trace::{Tracer, TracerProvider};

    #[test]
    fn set_and_get_in_the_current_context() {
        assert_eq!(get("k"), None);
        {
            let _g = set([("k", "v")]);
            assert_eq!(get("k").as_deref(), Some("v"));
            let _h = set([("k", "w"), ("other", "x")]);
            assert_eq!(get("k").as_deref(), Some("w"));
            assert_eq!(get("other").as_deref(), Some("x"));
        }
        assert_eq!(get("k"), None);
    }

    #[test]
    fn limits_are_enforced() {
        let many: Vec<(String, String)> = (0..100)
            .map(|i| (format!("k{i}"), "v".to_owned()))
            .collect();
        let cx = with_entries(many);
        assert_eq!(cx.baggage().len(), 64);
    }

    #[test]
    fn processor_copies_only_allowed_keys() {
        let t = TestTelemetry::builder()
            .span_processor(BaggageSpanProcessor::new(["tenant.id"]))
            .build();
        let _g = set([("tenant.id", "acme"), ("secret", "s3cr3t")]);
        t.tracer_provider().tracer("t").in_span("work", |_| {});
        let spans = t.spans();
        let span = spans.named("work");
        span.assert_attr("tenant.id", "acme");
        assert_eq!(span.attr("secret"), None);
    }
}
