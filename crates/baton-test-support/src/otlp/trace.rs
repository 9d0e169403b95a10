//! Received spans grouped into traces and drawn as indented trees, one line per span, so a
//! test compares a whole trace (parents, kinds, services, statuses) with one string and a
//! failure shows what did arrive.

use std::collections::BTreeMap;

use super::span::{STATUS_ERROR, Span};

/// The spans grouped by trace id.
pub fn by_trace(spans: &[Span]) -> BTreeMap<String, Vec<Span>> {
    let mut traces: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for span in spans {
        traces
            .entry(span.trace_id.clone())
            .or_default()
            .push(span.clone());
    }
    traces
}

/// One line for a span: `service KIND name`, then the HTTP status code, the resend count,
/// `ERROR` when the status is an error, `error.type`, and the status message of an error.
pub fn line(span: &Span) -> String {
    let mut out = format!("{} {} {}", span.service, span.kind_name(), span.name);
    if let Some(code) = span.attr("http.response.status_code") {
        out.push_str(&format!(" {code}"));
    }
    if let Some(resend) = span.attr("http.request.resend_count") {
        out.push_str(&format!(" resend={resend}"));
    }
    if span.status_code == STATUS_ERROR {
        out.push_str(" ERROR");
    }
    if let Some(error) = span.attr("error.type") {
        out.push_str(&format!(" error.type={error}"));
    }
    if span.status_code == STATUS_ERROR && !span.status_message.is_empty() {
        out.push_str(&format!(" {:?}", span.status_message));
    }
    out
}

/// The roots of one trace's spans: spans without a parent, and spans whose parent is not
/// among them (marked `ORPHAN` in the drawing, so a broken chain never looks whole).
pub fn roots(spans: &[Span]) -> Vec<&Span> {
    let mut roots: Vec<&Span> = spans
        .iter()
        .filter(|s| {
            s.parent_span_id.is_empty() || !spans.iter().any(|p| p.span_id == s.parent_span_id)
        })
        .collect();
    roots.sort_by(|a, b| (a.start, &a.name).cmp(&(b.start, &b.name)));
    roots
}

/// One trace drawn as a tree: each span on its own line, children indented two spaces
/// under their parent, siblings in start order.
pub fn render(spans: &[Span]) -> String {
    fn draw(spans: &[Span], span: &Span, depth: usize, out: &mut Vec<String>) {
        out.push(format!("{}{}", "  ".repeat(depth), line(span)));
        let mut children: Vec<&Span> = spans
            .iter()
            .filter(|c| c.parent_span_id == span.span_id)
            .collect();
        children.sort_by(|a, b| (a.start, &a.name).cmp(&(b.start, &b.name)));
        for child in children {
            draw(spans, child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for root in roots(spans) {
        if !root.parent_span_id.is_empty() {
            out.push(format!(
                "ORPHAN (parent {} not received):",
                root.parent_span_id
            ));
        }
        draw(spans, root, 0, &mut out);
    }
    out.join("\n")
}

/// Every trace drawn, for failure messages.
pub fn render_all(spans: &[Span]) -> String {
    by_trace(spans)
        .iter()
        .map(|(id, spans)| format!("trace {id}:\n{}", render(spans)))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Compares a drawn trace with the expected drawing (leading and trailing blank lines and
/// the common indentation of `expected` are ignored), showing both when they differ.
#[track_caller]
pub fn assert_tree(what: &str, spans: &[Span], expected: &str) {
    let actual = render(spans);
    let expected = dedent(expected);
    assert!(
        actual == expected,
        "{what}: the trace differs from what was expected.\n--- expected\n{expected}\n--- received\n{actual}\n"
    );
}

/// `text` without leading and trailing blank lines, trailing spaces and the common
/// indentation of its lines.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().skip_while(|l| l.trim().is_empty()).collect();
    let lines: Vec<&str> = {
        let mut v = lines;
        while v.last().is_some_and(|l| l.trim().is_empty()) {
            v.pop();
        }
        v
    };
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one span of `spans` that `matches`, or a panic naming `what` and showing the trace.
#[track_caller]
pub fn one<'a>(spans: &'a [Span], what: &str, matches: impl Fn(&Span) -> bool) -> &'a Span {
    let found: Vec<&Span> = spans.iter().filter(|s| matches(s)).collect();
    assert!(
        found.len() == 1,
        "expected exactly one {what}, found {}; the trace:\n{}",
        found.len(),
        render(spans)
    );
    found[0]
}
