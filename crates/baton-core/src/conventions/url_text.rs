//! Finding the URLs inside free text (error messages, captured headers), in one pass.
//!
//! A URL starts at `http://` or `https://` in any letter case, or is a reference starting
//! with `/` (`/download?sig=…`, `//bucket/key?X-Amz-Signature=…`) at the start of the text
//! or after a space, `(`, `[`, `<`, `"`, `'`, `=` or `,`. It ends at whitespace, a control
//! character, `"`, `<`, `>`, a `)` that closes no `(` opened inside it, or a `'` when a `'`
//! opened it. So `(https://h/report(1).pdf?sig=S)` is one URL without the closing `)`,
//! and `it's https://h/a'b` keeps its quote.
//!
//! Every byte is looked at once by the scan and once more by the URL it belongs to, so the
//! work is linear in the text whatever it holds.

use std::ops::Range;

/// Whether a `/` after this byte starts a URL reference.
fn opens_reference(before: u8) -> bool {
    before.is_ascii_whitespace()
        || matches!(before, b'(' | b'[' | b'<' | b'"' | b'\'' | b'=' | b',')
}

/// The length of the URL scheme starting `rest` (`http://` or `https://`, any case), if any.
fn scheme_len(rest: &[u8]) -> Option<usize> {
    let starts = |prefix: &[u8]| {
        rest.len() >= prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    if starts(b"http://") {
        Some(7)
    } else if starts(b"https://") {
        Some(8)
    } else {
        None
    }
}

/// Where the URL starting at `start` ends (exclusive); `opener` is the byte before it.
fn url_end(text: &[u8], start: usize, opener: Option<u8>) -> usize {
    let mut depth = 0usize;
    for (i, &b) in text.iter().enumerate().skip(start) {
        match b {
            b'(' => depth += 1,
            b')' if depth == 0 => return i,
            b')' => depth -= 1,
            b'\'' if opener == Some(b'\'') => return i,
            b'"' | b'<' | b'>' => return i,
            _ if b.is_ascii_whitespace() || b.is_ascii_control() => return i,
            _ => {}
        }
    }
    text.len()
}

/// The byte ranges of the URLs in `text`, in order, not overlapping. `work` counts the
/// bytes examined (the scan's and the URLs' own), for tests that bound it.
pub(super) fn url_ranges(text: &str, work: &mut usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        *work += 1;
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let starts = match bytes[i] {
            b'h' | b'H' => scheme_len(&bytes[i..]).is_some(),
            b'/' => before.is_none_or(opens_reference),
            _ => false,
        };
        if !starts {
            i += 1;
            continue;
        }
        let end = url_end(bytes, i, before);
        *work += end - i;
        ranges.push(i..end);
        // A URL is at least one byte long, so the scan always moves on.
        i = end.max(i + 1);
    }
    ranges
}
