//! Drawing one trace as text: one row per span, indented by depth, with a bar placed and
//! scaled on the trace's time axis.

use opentelemetry::Value;
use opentelemetry::trace::{SpanId, Status};
use opentelemetry_sdk::trace::SpanData;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use super::critical::critical_path;

/// A log record, as the waterfall draws it (only the `logs` feature makes them).
#[derive(Clone, Debug)]
pub(crate) struct LogMark {
    pub(crate) span_id: SpanId,
    pub(crate) time: SystemTime,
    pub(crate) level: &'static str,
    pub(crate) message: String,
}
use super::style::Style;

/// Widest span-name column, indentation included.
const NAME_WIDTH: usize = 34;
/// Most log records kept for one trace (the `logs` feature's
/// [`MAX_TRACE_LOGS`](super::MAX_TRACE_LOGS)).
pub(crate) const MAX_TRACE_LOGS: usize = 100;
/// Most rows drawn for one trace; a line says what was left out.
pub const MAX_ROWS: usize = 60;
/// Attributes that explain an error, shown after an error row.
const EXPLAIN: [&str; 4] = [
    "error.type",
    "http.response.status_code",
    "exception.message",
    "db.response.status_code",
];

/// A finished span and the service that recorded it.
pub(crate) struct ServiceSpan {
    pub(crate) service: String,
    pub(crate) span: SpanData,
}

fn is_error(span: &SpanData) -> bool {
    matches!(span.status, Status::Error { .. })
}

/// `1.2 ms`, `340 µs`, `2.50 s`.
pub(crate) fn format_duration(d: Duration) -> String {
    let us = d.as_micros();
    if us < 1_000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{:.1} ms", us as f64 / 1_000.0)
    } else {
        format!("{:.2} s", us as f64 / 1_000_000.0)
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub(crate) fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

/// Spans in display order (depth first, children by start time) with their depth. A span
/// whose parent is not in the trace (the caller is elsewhere, or its span was not exported
/// here) starts a tree of its own.
fn order(spans: &[ServiceSpan]) -> Vec<(usize, &ServiceSpan)> {
    let ids: HashMap<SpanId, usize> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span.span_context.span_id(), i))
        .collect();
    let mut children: HashMap<Option<SpanId>, Vec<usize>> = HashMap::new();
    for (i, s) in spans.iter().enumerate() {
        let parent = Some(s.span.parent_span_id).filter(|p| ids.contains_key(p));
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by_key(|&i| (spans[i].span.start_time, spans[i].span.end_time));
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut stack: Vec<(usize, usize)> = children
        .get(&None)
        .map(|r| r.iter().rev().map(|&i| (0, i)).collect())
        .unwrap_or_default();
    while let Some((depth, i)) = stack.pop() {
        out.push((depth, &spans[i]));
        if let Some(kids) = children.get(&Some(spans[i].span.span_context.span_id())) {
            stack.extend(kids.iter().rev().map(|&k| (depth + 1, k)));
        }
    }
    out
}

fn explain(span: &SpanData) -> String {
    let mut parts: Vec<String> = EXPLAIN
        .iter()
        .filter_map(|key| span.attributes.iter().find(|kv| kv.key.as_str() == *key))
        .map(|kv| match &kv.value {
            Value::String(s) => format!("{}={}", kv.key, s.as_str()),
            other => format!("{}={other}", kv.key),
        })
        .collect();
    if let Status::Error { description } = &span.status
        && !description.is_empty()
        && !parts.iter().any(|p| p.ends_with(description.as_ref()))
    {
        parts.push(format!("\"{description}\""));
    }
    parts.join(" ")
}

/// The bar for a span starting at `from` and ending at `to`, both fractions of the axis,
/// `width` characters wide.
fn bar(from: f64, to: f64, width: usize) -> String {
    let start = ((from * width as f64).floor() as usize).min(width - 1);
    let end = ((to * width as f64).round() as usize).clamp(start + 1, width);
    let mut s = " ".repeat(start);
    if to - from < 0.5 / width as f64 {
        s.push('▏');
    } else {
        s.push_str(&"█".repeat(end - start));
    }
    pad(&s, width)
}

/// The time axis above the bars: `0`, the midpoint and the total.
fn axis(total: Duration, width: usize) -> String {
    let mut cells = vec![' '; width];
    let mut place = |at: usize, text: &str| {
        for (i, c) in text.chars().enumerate() {
            if let Some(cell) = cells.get_mut(at + i) {
                *cell = c;
            }
        }
    };
    place(0, "0");
    let mid = format_duration(total / 2);
    place((width / 2).saturating_sub(mid.chars().count() / 2), &mid);
    let end = format_duration(total);
    place(width.saturating_sub(end.chars().count()), &end);
    cells.into_iter().collect()
}

/// Draws one trace with its log records (`left_out` more were not kept). `spans` and
/// `logs` must all belong to it.
pub(crate) fn render(
    spans: &[ServiceSpan],
    logs: &[LogMark],
    left_out: usize,
    style: Style,
) -> String {
    let Some(first) = spans.iter().map(|s| s.span.start_time).min() else {
        return String::new();
    };
    let last = spans.iter().map(|s| s.span.end_time).max().unwrap_or(first);
    let total = last.duration_since(first).unwrap_or_default();
    let total_s = total.as_secs_f64().max(1e-9);
    let at = |t: SystemTime| t.duration_since(first).unwrap_or_default().as_secs_f64() / total_s;

    let rows = order(spans);
    let width = style.bar_width;
    let children = children_of(spans);
    let critical = rows
        .first()
        .and_then(|(_, root)| {
            spans
                .iter()
                .position(|s| s.span.span_context == root.span.span_context)
        })
        .map(|root| critical_path(spans, &children, root))
        .unwrap_or_default();
    let mut services: Vec<&str> = Vec::new();
    for (_, s) in &rows {
        if !services.contains(&s.service.as_str()) {
            services.push(&s.service);
        }
    }
    let service_width = services
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let errors = spans.iter().filter(|s| is_error(&s.span)).count();
    let root = rows
        .first()
        .map(|(_, s)| s.span.name.as_ref())
        .unwrap_or("");

    let mut out = String::new();
    let mut summary = format!("{} spans", spans.len());
    if errors > 0 {
        summary.push_str(&format!(
            " · {}",
            style.error(&format!(
                "{errors} error{}",
                if errors == 1 { "" } else { "s" }
            ))
        ));
    }
    let _ = writeln!(
        out,
        "{} {}  {}  {}  {}",
        style.bold("trace"),
        spans[0].span.span_context.trace_id(),
        style.bold(root),
        format_duration(total),
        summary
    );
    let axis = axis(total, width);
    let _ = writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{}    {}  {}",
            pad("service", service_width),
            pad("span", NAME_WIDTH),
            pad(&axis, width)
        ))
    );

    let shown = rows.len().min(MAX_ROWS);
    let hidden: Vec<&ServiceSpan> = rows[shown..].iter().map(|(_, s)| *s).collect();
    let logs = logs_by_span(logs, &rows[..shown]);
    let log_row = |depth: usize, mark: &LogMark| {
        let name = truncate(
            &format!("{}· {}", "  ".repeat(depth + 1), mark.level),
            NAME_WIDTH,
        );
        format!(
            "{}    {}  {}  {}",
            pad("", service_width),
            style.dim(&pad(&name, NAME_WIDTH)),
            style.dim(&dot(at(mark.time).min(1.0), width)),
            mark.message
        )
    };
    for &(depth, s) in &rows[..shown] {
        let span = &s.span;
        let index = services.iter().position(|x| *x == s.service).unwrap_or(0);
        let name = truncate(&format!("{}{}", "  ".repeat(depth), span.name), NAME_WIDTH);
        let duration = span
            .end_time
            .duration_since(span.start_time)
            .unwrap_or_default();
        let bar = bar(at(span.start_time), at(span.end_time), width);
        // `◆`: on the critical path.
        let mark = if critical.contains(span.span_context.span_id()) {
            "◆"
        } else {
            " "
        };
        let error = is_error(span);
        let bar = if error {
            style.error(&bar)
        } else {
            style.service(index, &bar)
        };
        let mut line = format!(
            "{}  {} {}  {}  {:>9}",
            style.service(index, &pad(&s.service, service_width)),
            mark,
            pad(&name, NAME_WIDTH),
            bar,
            format_duration(duration)
        );
        if error {
            line.push_str(&format!("  {} {}", style.error("✗"), explain(span)));
        }
        let _ = writeln!(out, "{}", line.trim_end());
        for mark in logs.get(&span.span_context.span_id()).into_iter().flatten() {
            let _ = writeln!(out, "{}", log_row(depth, mark).trim_end());
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "… {left_out} more log record{} not shown; the waterfall keeps {} per trace",
                if left_out == 1 { "" } else { "s" },
                MAX_TRACE_LOGS
            ))
        );
    }
    if !hidden.is_empty() {
        let errors = hidden.iter().filter(|s| is_error(&s.span)).count();
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "… {} more span{} not shown ({errors} error{} among them); the waterfall draws \
                 {MAX_ROWS} rows per trace",
                hidden.len(),
                if hidden.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
            ))
        );
    }
    let path: Vec<String> = critical
        .by_service(rows.iter().map(|(_, s)| *s))
        .into_iter()
        .map(|(service, t)| format!("{service} {}", format_duration(t)))
        .collect();
    if !path.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "◆ critical path, self time per service: {}",
                path.join(" · ")
            ))
        );
    }
    out
}

/// The log records by the drawn span they belong to, in time order. A record whose span is
/// not drawn (left out past [`MAX_ROWS`], or recorded by a service whose spans went
/// elsewhere) goes under the first row.
fn logs_by_span<'a>(
    logs: &'a [LogMark],
    rows: &[(usize, &ServiceSpan)],
) -> HashMap<SpanId, Vec<&'a LogMark>> {
    let mut by_span: HashMap<SpanId, Vec<&LogMark>> = HashMap::new();
    let Some((_, first)) = rows.first() else {
        return by_span;
    };
    let drawn: std::collections::HashSet<SpanId> = rows
        .iter()
        .map(|(_, s)| s.span.span_context.span_id())
        .collect();
    for mark in logs {
        let span = if drawn.contains(&mark.span_id) {
            mark.span_id
        } else {
            first.span.span_context.span_id()
        };
        by_span.entry(span).or_default().push(mark);
    }
    for marks in by_span.values_mut() {
        marks.sort_by_key(|m| m.time);
    }
    by_span
}

/// A mark at `at` (a fraction of the axis) on a row `width` characters wide.
fn dot(at: f64, width: usize) -> String {
    let at = ((at * width as f64).floor() as usize).min(width - 1);
    pad(&format!("{}•", " ".repeat(at)), width)
}

/// Each span's children, by index, keyed by the parent's id.
fn children_of(spans: &[ServiceSpan]) -> HashMap<SpanId, Vec<usize>> {
    let mut children: HashMap<SpanId, Vec<usize>> = HashMap::new();
    for (i, s) in spans.iter().enumerate() {
        children.entry(s.span.parent_span_id).or_default().push(i);
    }
    children
}
