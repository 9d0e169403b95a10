//! The attribute and span limits (`OTEL_ATTRIBUTE_*`, `OTEL_SPAN_*_LIMIT`,
//! `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`, `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`), read here so that
//! [`Builder::from_env_map`](crate::Builder::from_env_map) sees them and the SDK never reads
//! them from the process behind baton's back. A span-specific variable wins over the
//! general one, as the specification says; counts default to 128, value lengths to no limit.

use opentelemetry_sdk::trace::SpanLimits;

use super::names::*;
use super::vars::Vars;
use crate::error::InitError;

/// The largest count accepted (the SDK keeps counts as `u32`).
const MAX_COUNT: usize = u32::MAX as usize;
/// The longest value length accepted (1 GiB: anything larger is no limit in practice).
const MAX_VALUE_LENGTH: usize = 1 << 30;
/// The specification's default for every count limit.
const DEFAULT_COUNT: u32 = 128;

/// The limits the tracer provider applies, and the value length the export thread cuts
/// string values to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) spans: SpanLimits,
    pub(crate) value_length: Option<usize>,
    /// `OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else the general one.
    #[cfg(feature = "logs")]
    pub(crate) log_value_length: Option<usize>,
}

/// Reads the limits.
pub(crate) fn limits(vars: &Vars<'_>) -> Result<Limits, InitError> {
    let general = vars.limit(OTEL_ATTRIBUTE_COUNT_LIMIT, MAX_COUNT)?;
    let count = |name: &'static str, fallback: Option<usize>| -> Result<u32, InitError> {
        Ok(vars
            .limit(name, MAX_COUNT)?
            .or(fallback)
            .map_or(DEFAULT_COUNT, |n| u32::try_from(n).unwrap_or(u32::MAX)))
    };
    let spans = SpanLimits {
        max_attributes_per_span: count(OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, general)?,
        max_events_per_span: count(OTEL_SPAN_EVENT_COUNT_LIMIT, None)?,
        max_links_per_span: count(OTEL_SPAN_LINK_COUNT_LIMIT, None)?,
        max_attributes_per_event: count(OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT, general)?,
        max_attributes_per_link: count(OTEL_LINK_ATTRIBUTE_COUNT_LIMIT, general)?,
    };
    let value_length = match vars.limit(OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, MAX_VALUE_LENGTH)? {
        Some(n) => Some(n),
        None => vars.limit(OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, MAX_VALUE_LENGTH)?,
    };
    Ok(Limits {
        spans,
        value_length,
        #[cfg(feature = "logs")]
        log_value_length: match vars.limit(
            OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT,
            MAX_VALUE_LENGTH,
        )? {
            Some(limit) => Some(limit),
            None => vars.limit(OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, MAX_VALUE_LENGTH)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    fn read(pairs: &[(&'static str, &str)]) -> Result<Limits, InitError> {
        limits(&Vars::new(&MapEnv::of(pairs)))
    }

    #[test]
    fn defaults_general_and_specific() {
        let none = read(&[]).unwrap();
        let d = SpanLimits::default();
        let s = none.spans;
        assert_eq!(
            (
                s.max_attributes_per_span,
                s.max_events_per_span,
                s.max_links_per_span
            ),
            (
                d.max_attributes_per_span,
                d.max_events_per_span,
                d.max_links_per_span
            )
        );
        assert_eq!(
            (s.max_attributes_per_event, s.max_attributes_per_link),
            (d.max_attributes_per_event, d.max_attributes_per_link)
        );
        assert_eq!(none.value_length, None);

        let l = read(&[
            (OTEL_ATTRIBUTE_COUNT_LIMIT, "10"),
            (OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT, "3"),
            (OTEL_SPAN_EVENT_COUNT_LIMIT, "0"),
            (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, "4096"),
            (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, "256"),
        ])
        .unwrap();
        assert_eq!(l.spans.max_attributes_per_span, 10, "the general limit");
        assert_eq!(l.spans.max_attributes_per_link, 10);
        assert_eq!(l.spans.max_attributes_per_event, 3, "the specific one wins");
        assert_eq!(l.spans.max_events_per_span, 0, "0 keeps none");
        assert_eq!(l.spans.max_links_per_span, 128);
        assert_eq!(l.value_length, Some(256));
        #[cfg(feature = "logs")]
        assert_eq!(
            l.log_value_length,
            Some(4096),
            "the general limit for log records"
        );
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        assert_eq!(
            read(&[(OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, "many")])
                .unwrap_err()
                .to_string(),
            r#"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="many": must be a whole number between 0 and 4294967295"#
        );
    }
}
