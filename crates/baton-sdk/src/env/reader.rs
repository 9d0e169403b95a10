//! `OTEL_METRIC_EXPORT_*`: the periodic metric reader's settings.

use std::time::Duration;

use super::names::{OTEL_METRIC_EXPORT_INTERVAL, OTEL_METRIC_EXPORT_TIMEOUT};
use super::vars::{Millis, Vars};
use crate::error::InitError;

/// Periodic metric reader settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReaderSettings {
    /// `OTEL_METRIC_EXPORT_INTERVAL` (default 60 s).
    pub(crate) interval: Duration,
    /// `OTEL_METRIC_EXPORT_TIMEOUT` (default 30 s).
    pub(crate) timeout: Duration,
}

/// Reads `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_METRIC_EXPORT_TIMEOUT`.
pub(crate) fn reader_settings(vars: &Vars<'_>) -> Result<ReaderSettings, InitError> {
    Ok(ReaderSettings {
        interval: vars
            .millis(OTEL_METRIC_EXPORT_INTERVAL, Millis::Interval)?
            .unwrap_or(Duration::from_secs(60)),
        timeout: vars
            .millis(OTEL_METRIC_EXPORT_TIMEOUT, Millis::Timeout)?
            .unwrap_or(Duration::from_secs(30)),
    })
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let e = MapEnv::of(&[]);
        assert_eq!(
            reader_settings(&Vars::new(&e)).unwrap(),
            ReaderSettings {
                interval: Duration::from_secs(60),
                timeout: Duration::from_secs(30)
            }
        );
        let e = MapEnv::of(&[
            (OTEL_METRIC_EXPORT_INTERVAL, "1000"),
            (OTEL_METRIC_EXPORT_TIMEOUT, "500"),
        ]);
        assert_eq!(
            reader_settings(&Vars::new(&e)).unwrap(),
            ReaderSettings {
                interval: Duration::from_secs(1),
                timeout: Duration::from_millis(500)
            }
        );
    }

    #[test]
    fn bad_values() {
        let e = MapEnv::of(&[(OTEL_METRIC_EXPORT_INTERVAL, "0")]);
        assert_eq!(
            reader_settings(&Vars::new(&e)).unwrap_err().to_string(),
            r#"OTEL_METRIC_EXPORT_INTERVAL="0": must be a positive whole number of milliseconds, at most 2147483647"#
        );
        let e = MapEnv::of(&[(OTEL_METRIC_EXPORT_TIMEOUT, "1e3")]);
        assert_eq!(
            reader_settings(&Vars::new(&e)).unwrap_err().to_string(),
            r#"OTEL_METRIC_EXPORT_TIMEOUT="1e3": must be a whole number of milliseconds, at most 2147483647 (0 means no limit)"#
        );
    }
}
