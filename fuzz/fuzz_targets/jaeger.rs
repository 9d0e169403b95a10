//! Arbitrary Jaeger headers: the input is split at the first NUL byte (which no header value
//! can hold) into `uber-trace-id` values and `uberctx-fuzz` baggage values, one header per
//! line; extracted with every propagator and injected again: nothing may panic and the span
//! context must survive the round trip.
#![no_main]

use baton_core::fuzzing::{extract_inject, headers_from};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |&b| b == 0);
    let mut headers = headers_from("uber-trace-id", parts.next().unwrap_or_default());
    if let Some(baggage) = parts.next() {
        headers.extend(headers_from("uberctx-fuzz", baggage));
    }
    extract_inject(&headers);
});
