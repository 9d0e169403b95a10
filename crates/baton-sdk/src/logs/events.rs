//! The layer that turns each event into its outputs: the event's metadata (the `log`
//! crate's, for its records) and fields are read once, then written as a line and emitted
//! as a log record.

use tracing::Subscriber;
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::{Context, Layer};

use super::bridge::Records;
use super::fields::Fields;
use super::line::Lines;

/// Lines on standard error, and records of the logs signal when it is exported.
#[derive(Debug)]
pub(crate) struct EventLayer {
    pub(crate) lines: Lines,
    pub(crate) records: Option<Records>,
}

impl<S: Subscriber> Layer<S> for EventLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let fields = Fields::of(event, normalized.is_some());
        self.lines.write(meta, &fields);
        if let Some(records) = &self.records {
            let callsite = normalized.is_none().then(|| event.metadata());
            records.emit(meta, callsite, fields);
        }
    }
}
