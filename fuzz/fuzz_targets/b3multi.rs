//! Arbitrary `X-B3-*` headers: the input is split at NUL bytes (which no header value can
//! hold) into the values of `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled` and `X-B3-Flags`,
//! each of them one header per line; extracted with every propagator and injected again:
//! nothing may panic and the span context must survive the round trip.
#![no_main]

use baton_core::fuzzing::{extract_inject, headers_from};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags"];

fuzz_target!(|data: &[u8]| {
    let mut parts = NAMES.into_iter().zip(data.splitn(NAMES.len(), |&b| b == 0));
    let Some((name, part)) = parts.next() else {
        return;
    };
    let mut headers = headers_from(name, part);
    for (name, part) in parts {
        headers.extend(headers_from(name, part));
    }
    extract_inject(&headers);
});
