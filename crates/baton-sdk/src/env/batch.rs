//! `OTEL_BSP_*`: the batch span processor's settings, read into its own [`BatchOptions`].

use super::names::*;
use super::vars::{Millis, Vars};
use crate::batch::BatchOptions;
use crate::error::InitError;

/// The largest span queue accepted. The batch processor allocates the whole queue up front
/// (one slot per span), so an enormous value would cost memory at start-up rather than protect
/// anything; 65 536 spans is 32 times the default.
pub(crate) const MAX_QUEUE_SIZE: usize = 65_536;

/// Reads `OTEL_BSP_*`; unset variables keep the defaults, and an unset schedule delay is
/// left for the installer to pick per exporter. A batch size above the queue size is
/// lowered to it with a warning (the spec says it must be less or equal).
pub(crate) fn batch_options(vars: &mut Vars<'_>) -> Result<BatchOptions, InitError> {
    let mut options = BatchOptions::default();
    if let Some(delay) = vars.millis(OTEL_BSP_SCHEDULE_DELAY, Millis::Interval)? {
        options = options.scheduled_delay(delay);
    }
    if let Some(timeout) = vars.millis(OTEL_BSP_EXPORT_TIMEOUT, Millis::Timeout)? {
        options = options.export_timeout(timeout);
    }
    if let Some(queue) = vars.count(OTEL_BSP_MAX_QUEUE_SIZE, MAX_QUEUE_SIZE)? {
        options = options.max_queue_size(queue);
    }
    if let Some(batch) = vars.count(OTEL_BSP_MAX_EXPORT_BATCH_SIZE, MAX_QUEUE_SIZE)? {
        let queue = options.queue_size();
        if batch > queue {
            vars.warn(format!(
                "{OTEL_BSP_MAX_EXPORT_BATCH_SIZE}={batch} is larger than \
                 {OTEL_BSP_MAX_QUEUE_SIZE}={queue}; using {queue}"
            ));
        }
        // The options lower it to the queue size themselves.
        options = options.max_export_batch_size(batch);
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::super::source::MapEnv;
    use super::super::vars::NO_LIMIT;
    use super::*;
    use std::time::Duration;

    #[test]
    fn defaults_and_overrides() {
        let e = MapEnv::of(&[]);
        let mut vars = Vars::new(&e);
        assert_eq!(batch_options(&mut vars).unwrap(), BatchOptions::default());
        let e = MapEnv::of(&[
            (OTEL_BSP_SCHEDULE_DELAY, "250"),
            (OTEL_BSP_EXPORT_TIMEOUT, "0"),
            (OTEL_BSP_MAX_QUEUE_SIZE, "100"),
            (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "10"),
        ]);
        let mut vars = Vars::new(&e);
        assert_eq!(
            batch_options(&mut vars).unwrap(),
            BatchOptions::default()
                .scheduled_delay(Duration::from_millis(250))
                .export_timeout(NO_LIMIT)
                .max_queue_size(100)
                .max_export_batch_size(10)
        );
    }

    #[cfg(feature = "waterfall")]
    #[test]
    fn an_unset_delay_is_left_to_the_installer() {
        let e = MapEnv::of(&[]);
        let options = batch_options(&mut Vars::new(&e)).unwrap();
        let console = Duration::from_millis(100);
        assert_eq!(
            options.or_scheduled_delay(console),
            BatchOptions::default().scheduled_delay(console)
        );
        let e = MapEnv::of(&[(OTEL_BSP_SCHEDULE_DELAY, "250")]);
        let options = batch_options(&mut Vars::new(&e)).unwrap();
        assert_eq!(
            options.or_scheduled_delay(console),
            BatchOptions::default().scheduled_delay(Duration::from_millis(250))
        );
    }

    #[test]
    fn batch_larger_than_queue_is_lowered_with_a_warning() {
        let e = MapEnv::of(&[
            (OTEL_BSP_MAX_QUEUE_SIZE, "8"),
            (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "512"),
        ]);
        let mut vars = Vars::new(&e);
        assert_eq!(
            batch_options(&mut vars).unwrap(),
            BatchOptions::default()
                .max_queue_size(8)
                .max_export_batch_size(8)
        );
        assert_eq!(
            vars.into_warnings(),
            [
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=512 is larger than OTEL_BSP_MAX_QUEUE_SIZE=8; using 8"
            ]
        );
        let e = MapEnv::of(&[(OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "4096")]);
        let mut vars = Vars::new(&e);
        batch_options(&mut vars).unwrap();
        assert_eq!(
            vars.into_warnings(),
            [
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096 is larger than OTEL_BSP_MAX_QUEUE_SIZE=2048; using 2048"
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
            let e = MapEnv::of(&[(name, value)]);
            let mut vars = Vars::new(&e);
            assert_eq!(
                batch_options(&mut vars).unwrap_err().to_string(),
                format!("{name}={value:?}: {reason}")
            );
        }
    }
}
