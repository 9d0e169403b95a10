//! `OTEL_BSP_*` and `OTEL_BLRP_*`: the batch processors' settings (spans, log records),
//! read into their own [`BatchOptions`] by one function.

use super::names::*;
use super::vars::{Millis, Vars};
use crate::batch::BatchOptions;
use crate::error::InitError;

/// The largest span queue accepted. The batch processor allocates the whole queue up front
/// (one slot per span), so an enormous value would cost memory at start-up rather than protect
/// anything; 65 536 spans is 32 times the default.
pub(crate) const MAX_QUEUE_SIZE: usize = 65_536;

/// The four variables of one batch processor.
pub(crate) struct BatchVars {
    schedule_delay: &'static str,
    export_timeout: &'static str,
    max_queue_size: &'static str,
    max_export_batch_size: &'static str,
}

/// The batch span processor's variables.
pub(crate) const BSP: BatchVars = BatchVars {
    schedule_delay: OTEL_BSP_SCHEDULE_DELAY,
    export_timeout: OTEL_BSP_EXPORT_TIMEOUT,
    max_queue_size: OTEL_BSP_MAX_QUEUE_SIZE,
    max_export_batch_size: OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
};

/// The batch log record processor's variables.
#[cfg(feature = "logs")]
pub(crate) const BLRP: BatchVars = BatchVars {
    schedule_delay: OTEL_BLRP_SCHEDULE_DELAY,
    export_timeout: OTEL_BLRP_EXPORT_TIMEOUT,
    max_queue_size: OTEL_BLRP_MAX_QUEUE_SIZE,
    max_export_batch_size: OTEL_BLRP_MAX_EXPORT_BATCH_SIZE,
};

/// Reads one processor's variables (`OTEL_BSP_*` or `OTEL_BLRP_*`); unset variables keep
/// the defaults (the specification's are the same for both but the schedule delay: 5 s for
/// spans, 1 s for log records), and an unset schedule delay is left for the installer to
/// pick per exporter and signal. A batch size above the queue size is
/// lowered to it with a warning (the spec says it must be less or equal).
pub(crate) fn batch_options(
    vars: &mut Vars<'_>,
    names: &BatchVars,
) -> Result<BatchOptions, InitError> {
    let mut options = BatchOptions::default();
    if let Some(delay) = vars.millis(names.schedule_delay, Millis::Interval)? {
        options = options.scheduled_delay(delay);
    }
    if let Some(timeout) = vars.millis(names.export_timeout, Millis::Timeout)? {
        options = options.export_timeout(timeout);
    }
    if let Some(queue) = vars.count(names.max_queue_size, MAX_QUEUE_SIZE)? {
        options = options.max_queue_size(queue);
    }
    if let Some(batch) = vars.count(names.max_export_batch_size, MAX_QUEUE_SIZE)? {
        let queue = options.queue_size();
        if batch > queue {
            vars.warn(format!(
                "{}={batch} is larger than {}={queue}; using {queue}",
                names.max_export_batch_size, names.max_queue_size
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
        assert_eq!(
            batch_options(&mut vars, &BSP).unwrap(),
            BatchOptions::default()
        );
        let e = MapEnv::of(&[
            (OTEL_BSP_SCHEDULE_DELAY, "250"),
            (OTEL_BSP_EXPORT_TIMEOUT, "0"),
            (OTEL_BSP_MAX_QUEUE_SIZE, "100"),
            (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, "10"),
        ]);
        let mut vars = Vars::new(&e);
        assert_eq!(
            batch_options(&mut vars, &BSP).unwrap(),
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
        let options = batch_options(&mut Vars::new(&e), &BSP).unwrap();
        let console = Duration::from_millis(100);
        assert_eq!(
            options.or_scheduled_delay(console),
            BatchOptions::default().scheduled_delay(console)
        );
        let e = MapEnv::of(&[(OTEL_BSP_SCHEDULE_DELAY, "250")]);
        let options = batch_options(&mut Vars::new(&e), &BSP).unwrap();
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
            batch_options(&mut vars, &BSP).unwrap(),
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
        batch_options(&mut vars, &BSP).unwrap();
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
                batch_options(&mut vars, &BSP).unwrap_err().to_string(),
                format!("{name}={value:?}: {reason}")
            );
        }
    }
}
