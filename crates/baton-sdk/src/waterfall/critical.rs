//! The critical path of a trace: the spans that decide its end-to-end time.
//!
//! Walking back from the end of the root span, the time is spent either in the span
//! itself or waiting for the child that ended last before that moment; that child is on
//! the path, its own time is split the same way, and the walk goes on from the moment the
//! child started. A span's *self time on the path* is what of it is not covered by a child
//! on the path. Children running in parallel with a longer sibling are off the path: making
//! them faster would not make the trace faster.

use opentelemetry::trace::SpanId;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::render::ServiceSpan;

/// The spans on the critical path, with their self time on it.
#[derive(Debug, Default)]
pub(crate) struct CriticalPath {
    pub(crate) self_time: HashMap<SpanId, Duration>,
}

impl CriticalPath {
    /// Whether `span` is on the path.
    pub(crate) fn contains(&self, span: SpanId) -> bool {
        self.self_time.contains_key(&span)
    }

    /// Self time on the path per service, in order of first appearance in `spans`.
    pub(crate) fn by_service<'a>(
        &self,
        spans: impl IntoIterator<Item = &'a ServiceSpan>,
    ) -> Vec<(&'a str, Duration)> {
        let mut out: Vec<(&str, Duration)> = Vec::new();
        for s in spans {
            let Some(t) = self.self_time.get(&s.span.span_context.span_id()) else {
                continue;
            };
            match out.iter_mut().find(|(name, _)| *name == s.service) {
                Some((_, total)) => *total += *t,
                None => out.push((&s.service, *t)),
            }
        }
        out
    }
}

/// The critical path from `root` (an index into `spans`), given each span's children.
pub(crate) fn critical_path(
    spans: &[ServiceSpan],
    children: &HashMap<SpanId, Vec<usize>>,
    root: usize,
) -> CriticalPath {
    let mut path = CriticalPath::default();
    // (span, the moment the walk through it starts from), depth first without recursion.
    let mut stack = vec![(root, spans[root].span.end_time)];
    while let Some((i, until)) = stack.pop() {
        let span = &spans[i].span;
        let start = span.start_time;
        let mut cursor = until.min(span.end_time).max(start);
        let mut own = Duration::ZERO;
        let mut kids: Vec<usize> = children
            .get(&span.span_context.span_id())
            .cloned()
            .unwrap_or_default();
        // The child that ends last first.
        kids.sort_by_key(|&k| std::cmp::Reverse(spans[k].span.end_time));
        for k in kids {
            let kid = &spans[k].span;
            // Off the path: after the cursor, before the span, or taking no time at all.
            if kid.start_time >= cursor || kid.end_time <= start || kid.end_time <= kid.start_time {
                continue;
            }
            let end = kid.end_time.min(cursor);
            own += gap(end, cursor);
            stack.push((k, end));
            cursor = kid.start_time.max(start);
        }
        own += gap(start, cursor);
        path.self_time.insert(span.span_context.span_id(), own);
    }
    path
}

fn gap(from: SystemTime, to: SystemTime) -> Duration {
    to.duration_since(from).unwrap_or_default()
}
