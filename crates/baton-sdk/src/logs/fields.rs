//! An event's fields, read once for every output: the message and the other fields with
//! their types, in the order they were written.

use std::fmt;

use tracing_core::field::{Field, Visit};

/// One field's value, keeping the type `tracing` recorded it with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Str(String),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

/// The fields of one event.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    /// The `message` field (what `info!("...")` formats).
    pub(crate) message: String,
    pub(crate) values: Vec<(&'static str, Value)>,
    /// Whether the event came from the `log` crate, whose metadata travels in `log.*`
    /// fields (left out here: the caller reads them as the event's real metadata).
    from_log: bool,
}

impl Fields {
    /// The fields of `event`.
    pub(crate) fn of(event: &tracing::Event<'_>, from_log: bool) -> Fields {
        let mut fields = Fields {
            from_log,
            ..Fields::default()
        };
        event.record(&mut fields);
        fields
    }

    fn push(&mut self, field: &Field, value: Value) {
        let name = field.name();
        if self.from_log && name.starts_with("log.") {
            return;
        }
        self.values.push((name, value));
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.push(field, Value::Str(value.to_owned()));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, Value::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, Value::U64(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, Value::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, Value::Bool(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.push(field, Value::Str(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.push(field, Value::Str(format!("{value:?}")));
        }
    }
}
