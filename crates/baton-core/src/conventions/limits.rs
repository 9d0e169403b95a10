//! How long a value a peer controls may be when it becomes a span attribute.
//!
//! Every request a peer sends becomes a span that sits in the export queue and then in an
//! export batch; with values copied whole, a few requests with 400 KB headers pin megabytes
//! of memory and push a batch past a collector's default 4 MiB message limit, which loses
//! the whole batch. So the values below are capped by default, with nothing configured.
//! The limits keep every legitimate value whole (URLs of a few KB, user agents of a few
//! hundred bytes, method tokens, DNS names), and with all of them at their limit a span's
//! peer-controlled values stay under 6 KB: 512 such spans, the default export batch, under
//! 3 MB. Captured headers are opt-in, and bounded in value length and count on top (at
//! most 16 KB a header).
//! `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`, applied by the SDK, can cut further.

use std::borrow::Cow;

/// `url.path`, in bytes, the `…` that marks a cut included.
pub const MAX_URL_PATH: usize = 2048;
/// `url.query` (after redaction), in bytes, the `…` that marks a cut included.
pub const MAX_URL_QUERY: usize = 2048;
/// A client's `url.full` (after redaction): a redirect's `Location`, which the server
/// chooses, sets it for the next hop. In bytes, the `…` that marks a cut included.
pub const MAX_URL_FULL: usize = 4096;
/// `user_agent.original`, in bytes, the `…` that marks a cut included.
pub const MAX_USER_AGENT: usize = 1024;
/// `http.request.method_original`, in bytes, the `…` that marks a cut included.
pub const MAX_METHOD_ORIGINAL: usize = 64;
/// `server.address` and `client.address` read from a request (`Host`, `Forwarded`,
/// `X-Forwarded-Host`, `X-Forwarded-For`): a longer host is not a host name (DNS allows 253
/// characters), so it is ignored, as an invalid one is, rather than cut.
pub const MAX_HOST: usize = 255;
/// Each value of a captured header, in bytes, the `…` that marks a cut included.
pub const MAX_HEADER_VALUE: usize = 1024;
/// Values kept of one captured header (the first ones, in order).
pub const MAX_HEADER_VALUES: usize = 16;

/// The marker a cut value ends with.
const CUT: char = '…';

/// `value`, borrowed when at most `max` bytes long, otherwise cut on a character boundary
/// and marked with `…` (3 bytes), at most `max` bytes in all.
///
/// ```
/// use baton_core::conventions::limits::capped;
///
/// assert_eq!(capped("short", 8), "short");
/// assert_eq!(capped("abcdefghij", 7), "abcd…");
/// assert_eq!(capped("éééé", 7), "éé…");
/// assert_eq!(capped("abcd", 2), "…");
/// ```
pub fn capped(value: &str, max: usize) -> Cow<'_, str> {
    if value.len() <= max {
        return Cow::Borrowed(value);
    }
    let mut end = max.saturating_sub(CUT.len_utf8());
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + CUT.len_utf8());
    out.push_str(&value[..end]);
    out.push(CUT);
    Cow::Owned(out)
}
