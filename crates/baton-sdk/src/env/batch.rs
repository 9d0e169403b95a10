//! `OTEL_BSP_*` (the batch span processor) and `OTEL_METRIC_EXPORT_*` (the periodic reader).

use std::time::Duration;

use super::names::*;
use super::vars::{Millis, Vars};
use crate::init::InitError;

/// The largest span queue accepted. The batch processor allocates the whole queue up front
/// (one slot per span), so an enormous value would cost memory at start-up rather than protect
/// anything; 65 536 spans is 32 times the default.
pub(crate) const MAX_QUEUE_SIZE: usize = 65_536;

/// Batch span processor settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BatchSettings {
    /// `OTEL_BSP_SCHEDULE_DELAY`, `None` when unset (the installer picks a default per
    /// exporter: 5 s for network exporters, shorter for the terminal).
    pub(crate) schedule_delay: Option<Duration>,
    /// `OTEL_BSP_EXPORT_TIMEOUT` (default 30 s).
    pub(crate) export_timeout: Duration,
    /// `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048).
    pub(crate) max_queue_size: usize,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (default 512, at most the queue size).
    pub(crate) max_export_batch_size: usize,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings {
            schedule_delay: None,
            export_timeout: Duration::from_secs(30),
            max_queue_size: 2048,
            max_export_batch_size: 512,
        }
    }
}

/// Periodic metric reader settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReaderSettings {
    /// `OTEL_METRIC_EXPORT_INTERVAL` (default 60 s).
    pub(crate) interval: Duration,
    /// `OTEL_METRIC_EXPORT_TIMEOUT` (default 30 s).
    pub(crate) timeout: Duration,
}

/// Reads `OTEL_BSP_*`. A batch size above the queue size is lowered to it with a warning
/// (the spec says it must be less or equal).
pub(crate) fn batch_settings(vars: &mut Vars<'_>) -> Result<BatchSettings, InitError> {
    let d = BatchSettings::default();
    let schedule_delay = vars.millis(OTEL_BSP_SCHEDULE_DELAY, Millis::Interval)?;
    let export_timeout = vars
        .millis(OTEL_BSP_EXPORT_TIMEOUT, Millis::Timeout)?
        .unwrap_or(d.export_timeout);
    let max_queue_size = vars
        .count(OTEL_BSP_MAX_QUEUE_SIZE, MAX_QUEUE_SIZE)?
        .unwrap_or(d.max_queue_size);
    let mut max_export_batch_size = vars
        .count(OTEL_BSP_MAX_EXPORT_BATCH_SIZE, MAX_QUEUE_SIZE)?
        .unwrap_or(d.max_export_batch_size);
    if max_export_batch_size > max_queue_size {
        vars.warn(format!(
            "{OTEL_BSP_MAX_EXPORT_BATCH_SIZE}={max_export_batch_size} is larger than \
             {OTEL_BSP_MAX_QUEUE_SIZE}={max_queue_size}; using {max_queue_size}"
        ));
        max_export_batch_size = max_queue_size;
    }
    Ok(BatchSettings {
        schedule_delay,
        export_timeout,
        max_queue_size,
        max_export_batch_size,
    })
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
    use super::*;
    use crate::env::MapEnv;

    fn env(pairs: &[(&str, &str)]) -> MapEnv {
        MapEnv(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn defaults_and_overrides() {
        let e = env(&[]);
        let mut vars = Vars::new(&e);
        assert_eq!(batch_settings(&mut vars).unwrap(), BatchSettings::default());
        assert_eq!(
            reader_settings(&vars).unwrap(),
            ReaderSettings {
                interval: Duration::from_secs(60),
                timeout: Duration::from_secs(30)
            }
        );
        let e = env(&[
            (OTEL_BSP_SCHEDULE_DELAY, "250"),
            (OTEL_BSP_EXPORT_TIMEOUT, "0"),
            (OTEL_BSP_MAX_QUEUE_SIZE, "100"),
            (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "10"),
            (OTEL_METRIC_EXPORT_INTERVAL, "1000"),
            (OTEL_METRIC_EXPORT_TIMEOUT, "500"),
        ]);
        let mut vars = Vars::new(&e);
        assert_eq!(
            batch_settings(&mut vars).unwrap(),
            BatchSettings {
                schedule_delay: Some(Duration::from_millis(250)),
                export_timeout: super::super::vars::NO_LIMIT,
                max_queue_size: 100,
                max_export_batch_size: 10,
            }
        );
        assert_eq!(
            reader_settings(&vars).unwrap(),
            ReaderSettings {
                interval: Duration::from_secs(1),
                timeout: Duration::from_millis(500)
            }
        );
    }

    #[test]
    fn batch_larger_than_queue_is_lowered_with_a_warning() {
        let e = env(&[
            (OTEL_BSP_MAX_QUEUE_SIZE, "8"),
            (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "512"),
        ]);
        let mut vars = Vars::new(&e);
        assert_eq!(batch_settings(&mut vars).unwrap().max_export_batch_size, 8);
        assert_eq!(
            vars.into_warnings(),
            [
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=512 is larger than OTEL_BSP_MAX_QUEUE_SIZE=8; using 8"
            ]
        );
    }

    #[test]
    fn bad_values() {
        let cases = [
            (
                OTEL_BSP_SCHEDULE_DELAY,
                "0",
                "must be a positive whole number of milliseconds, at most 2147483647",
            ),
            (
                OTEL_BSP_EXPORT_TIMEOUT,
                "-1",
                "must be a whole number of milliseconds, at most 2147483647 (0 means no limit)",
            ),
            (
                OTEL_BSP_MAX_QUEUE_SIZE,
                "0",
                "must be a whole number between 1 and 65536",
            ),
            (
                OTEL_BSP_MAX_QUEUE_SIZE,
                "100000",
                "must be a whole number between 1 and 65536",
            ),
            (
                OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
                "ten",
                "must be a whole number between 1 and 65536",
            ),
        ];
        for (name, value, reason) in cases {
            let e = env(&[(name, value)]);
            let mut vars = Vars::new(&e);
            assert_eq!(
                batch_settings(&mut vars).unwrap_err().to_string(),
                format!("{name}={value:?}: {reason}")
            );
        }
        let e = env(&[(OTEL_METRIC_EXPORT_INTERVAL, "0")]);
        assert!(reader_settings(&Vars::new(&e)).is_err());
        let e = env(&[(OTEL_METRIC_EXPORT_TIMEOUT, "1e3")]);
        assert!(reader_settings(&Vars::new(&e)).is_err());
    }
}
