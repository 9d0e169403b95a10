//! Arbitrary `b3` headers (one per input line), extracted with every propagator and
//! injected again: nothing may panic and the span context must survive the round trip.
#![no_main]

use baton_core::fuzzing::{extract_inject, headers_from};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    extract_inject(&headers_from("b3", data));
});
