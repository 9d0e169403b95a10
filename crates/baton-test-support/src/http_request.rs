//! What the HTTP receivers read of a request: its headers as text and its body,
//! gunzipped when it says it is gzipped.

use std::collections::BTreeMap;
use std::io::Read;

use axum::http::HeaderMap;

/// Headers as lower-case name -> value (`<binary>` for a value that is not text).
pub(crate) fn headers_text(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("<binary>").to_owned()))
        .collect()
}

/// The body, gunzipped when `content-encoding: gzip` says so.
pub(crate) fn body(headers: &HeaderMap, body: &[u8]) -> Result<Vec<u8>, String> {
    let gzip = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    if !gzip {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad gzip body: {e}"))?;
    Ok(out)
}
