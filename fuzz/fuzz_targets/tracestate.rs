//! Arbitrary `tracestate` headers (one per input line) next to a valid `traceparent`, since
//! `tracestate` is only read when there is one; extracted with every propagator and injected
//! again: nothing may panic and the span context must survive the round trip.
#![no_main]

use baton_core::fuzzing::{extract_inject, headers_from};
use libfuzzer_sys::fuzz_target;

const TRACEPARENT: &[u8] = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fuzz_target!(|data: &[u8]| {
    let mut headers = headers_from("traceparent", TRACEPARENT);
    headers.extend(headers_from("tracestate", data));
    extract_inject(&headers);
});
