//! RFC 3339 timestamps in UTC with microseconds, without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// `time` as `2026-12-01T15:35:38.123456Z` (the epoch for times before it).
pub(crate) fn rfc3339(time: SystemTime, out: &mut String) {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil(days);
    // Digit by digit: this runs for every log line, and `write!` costs several times more.
    digits(out, year, 4);
    out.push('-');
    digits(out, month, 2);
    out.push('-');
    digits(out, day, 2);
    out.push('T');
    digits(out, rest / 3600, 2);
    out.push(':');
    digits(out, rest / 60 % 60, 2);
    out.push(':');
    digits(out, rest % 60, 2);
    out.push('.');
    digits(out, u64::from(since.subsec_micros()), 6);
    out.push('Z');
}

/// The last `width` decimal digits of `n`, zero-padded.
fn digits(out: &mut String, n: u64, width: u32) {
    let mut div = 10_u64.pow(width - 1);
    while div > 0 {
        out.push(char::from(b'0' + (n / div % 10) as u8));
        div /= 10;
    }
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`
/// algorithm, for non-negative days).
fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, micros: u32) -> String {
        let mut s = String::new();
        rfc3339(UNIX_EPOCH + Duration::new(secs, micros * 1000), &mut s);
        s
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        // `date -u -d @1796139338`: Tue Dec  1 15:35:38 UTC 2026
        assert_eq!(at(1_796_139_338, 123_456), "2026-12-01T15:35:38.123456Z");
        assert_eq!(at(951_782_400, 0), "2000-02-29T00:00:00.000000Z");
        assert_eq!(at(4_107_542_399, 999_999), "2100-02-28T23:59:59.999999Z");
    }
}
