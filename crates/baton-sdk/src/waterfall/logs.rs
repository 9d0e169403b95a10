//! Log records drawn inside their trace: [`WaterfallLogExporter`] takes the logs signal's
//! records and keeps each sampled one with the trace it belongs to, so the waterfall draws it
//! under its span's row, at its time on the axis, with its level and message.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use opentelemetry::logs::AnyValue;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogExporter};

use super::render::LogMark;
use super::{Pending, Shared, lock};

/// The most log records kept for one trace; the waterfall says how many more there were.
pub const MAX_TRACE_LOGS: usize = super::render::MAX_TRACE_LOGS;

/// The most characters of a record's message the waterfall keeps.
const MAX_MESSAGE: usize = 200;

/// What the waterfall draws of a message: its first line, control characters left out,
/// at most [`MAX_MESSAGE`] characters.
fn mark_text(message: &str) -> String {
    let first = message.lines().next().unwrap_or("");
    let mut text: String = first
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_MESSAGE)
        .collect();
    if first.chars().count() > MAX_MESSAGE || message.lines().nth(1).is_some() {
        text.push('…');
    }
    text
}

#[cfg(test)]
#[test]
fn messages_are_one_short_line() {
    assert_eq!(mark_text("a\nforged row"), "a…");
    assert_eq!(mark_text("red \u{1b}[31mtext"), "red [31mtext");
    assert_eq!(mark_text(&"x".repeat(500)).chars().count(), MAX_MESSAGE + 1);
    assert_eq!(mark_text("fine"), "fine");
}

/// Takes log records to draw inside their traces: from
/// [`WaterfallExporter::log_exporter`](super::WaterfallExporter::log_exporter), sharing its
/// picture. Records of unsampled traces (which the waterfall never draws) and records
/// outside any trace are left to the log lines on standard error.
#[derive(Clone)]
pub struct WaterfallLogExporter {
    pub(super) shared: Arc<Shared>,
}

impl std::fmt::Debug for WaterfallLogExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaterfallLogExporter")
            .finish_non_exhaustive()
    }
}

impl LogExporter for WaterfallLogExporter {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let now = Instant::now();
        let mut traces = lock(&self.shared.traces);
        for (record, _scope) in batch.iter() {
            let Some(cx) = record.trace_context() else {
                continue;
            };
            if !cx.trace_flags.unwrap_or_default().is_sampled() {
                continue;
            }
            let pending = traces
                .entry(cx.trace_id)
                .or_insert_with(|| Pending::new(now));
            if pending.logs.len() >= MAX_TRACE_LOGS {
                pending.logs_left_out += 1;
                continue;
            }
            pending.logs.push(LogMark {
                span_id: cx.span_id,
                time: record
                    .timestamp()
                    .or(record.observed_timestamp())
                    .unwrap_or_else(SystemTime::now),
                level: record.severity_text().unwrap_or(""),
                message: mark_text(&match record.body() {
                    Some(AnyValue::String(s)) => s.as_str().to_owned(),
                    Some(other) => format!("{other:?}"),
                    None => String::new(),
                }),
            });
        }
        Ok(())
    }
}
