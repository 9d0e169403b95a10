//! One client redirect hop from arbitrary input: the status, the request URL, the
//! `Location` and the headers the request already carries come from the input. The hop is
//! decided as `baton_reqwest::FollowRedirects` does and its headers written as the tracing
//! middleware does, towards hosts allowed or refused trace headers and baggage. Nothing may
//! panic, a refused host keeps no propagation header in any format, a new origin no
//! credentials. See `baton_reqwest::fuzzing::redirect_hop` for the input layout.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    baton_reqwest::fuzzing::redirect_hop(data);
});
