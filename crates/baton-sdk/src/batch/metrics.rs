//! The SDK's self-observability metrics from the semantic conventions, for every batch
//! processor of a [`Guard`](crate::Guard), recorded on the guard's own meter provider.
//!
//! They are observed (read from the counters when the meter provider collects), so the
//! span path pays nothing for them.

use std::sync::Arc;

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider;
use opentelemetry_sdk::metrics::SdkMeterProvider;

use super::kind::Kind;
use super::stats::QueueStats;

/// Registers `otel.sdk.processor.{span,log}.processed`, `.queue.size` and
/// `.queue.capacity` for each processor of one `kind`, named
/// `batching_{span,log}_processor/<index>`.
pub(crate) fn register(provider: &SdkMeterProvider, kind: Kind, processors: &[Arc<QueueStats>]) {
    if processors.is_empty() {
        return;
    }
    let Kind {
        signal,
        component,
        unit,
        many,
        ..
    } = kind;
    let meter = provider.meter("baton-sdk");
    let components: Arc<Vec<(Arc<QueueStats>, [KeyValue; 2])>> = Arc::new(
        processors
            .iter()
            .enumerate()
            .map(|(i, stats)| {
                let attributes = [
                    KeyValue::new("otel.component.type", component),
                    KeyValue::new("otel.component.name", format!("{component}/{i}")),
                ];
                (stats.clone(), attributes)
            })
            .collect(),
    );

    let each = components.clone();
    meter
        .u64_observable_counter(format!("otel.sdk.processor.{signal}.processed"))
        .with_unit(unit)
        .with_description(format!(
            "The number of {many} for which the processing has finished, either successful or failed"
        ))
        .with_callback(move |observer| {
            for (stats, attributes) in each.iter() {
                observer.observe(stats.exported(), attributes);
                let failures = [
                    ("queue_full", stats.dropped_queue_full()),
                    ("shutdown_deadline", stats.dropped_at_shutdown_deadline()),
                    ("already_shutdown", stats.dropped_after_shutdown()),
                ];
                for (error, count) in failures.into_iter().filter(|(_, n)| *n > 0) {
                    let mut failed = attributes.to_vec();
                    failed.push(KeyValue::new("error.type", error));
                    observer.observe(count, &failed);
                }
            }
        })
        .build();

    let each = components.clone();
    meter
        .i64_observable_up_down_counter(format!("otel.sdk.processor.{signal}.queue.size"))
        .with_unit(unit)
        .with_description(format!(
            "The number of {many} in the queue of a given instance of an SDK {signal} processor"
        ))
        .with_callback(move |observer| {
            for (stats, attributes) in each.iter() {
                observer.observe(to_i64(stats.queued()), attributes);
            }
        })
        .build();

    meter
        .i64_observable_up_down_counter(format!("otel.sdk.processor.{signal}.queue.capacity"))
        .with_unit(unit)
        .with_description(format!(
            "The maximum number of {many} the queue of a given instance of an SDK {signal} processor can hold"
        ))
        .with_callback(move |observer| {
            for (stats, attributes) in components.iter() {
                observer.observe(to_i64(stats.capacity()), attributes);
            }
        })
        .build();
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
