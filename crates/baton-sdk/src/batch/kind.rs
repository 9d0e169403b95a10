//! What differs between the two batch processors — spans and log records — in the words of
//! their messages and the names of their metrics. Everything else is one implementation.

/// One signal's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    /// `span`, `log record`: one item, in messages.
    pub(crate) one: &'static str,
    /// `spans`, `log records`.
    pub(crate) many: &'static str,
    /// How an item arrives, in "dropped: … after shutdown".
    pub(crate) arrives: &'static str,
    /// The variable that sizes the queue.
    pub(crate) queue_var: &'static str,
    /// The middle of `otel.sdk.processor.{signal}.processed`.
    pub(crate) signal: &'static str,
    /// `otel.component.type`.
    pub(crate) component: &'static str,
    /// The metrics' unit.
    pub(crate) unit: &'static str,
}

/// The batch span processor.
pub(crate) const SPANS: Kind = Kind {
    one: "span",
    many: "spans",
    arrives: "ended",
    queue_var: "OTEL_BSP_MAX_QUEUE_SIZE",
    signal: "span",
    component: "batching_span_processor",
    unit: "{span}",
};

/// The batch log record processor.
#[cfg(feature = "logs")]
pub(crate) const LOGS: Kind = Kind {
    one: "log record",
    many: "log records",
    arrives: "emitted",
    queue_var: "OTEL_BLRP_MAX_QUEUE_SIZE",
    signal: "log",
    component: "batching_log_processor",
    unit: "{log_record}",
};

impl Kind {
    /// `n span`/`n spans`.
    pub(crate) fn count(&self, n: u64) -> String {
        format!("{n} {}", if n == 1 { self.one } else { self.many })
    }
}
