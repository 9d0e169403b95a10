//! Percent-encoding as W3C Baggage and Jaeger's `uberctx-*` headers use it.

use std::borrow::Cow;

/// `baggage-octet`: the bytes a baggage value may carry unencoded (`%` excepted, which must
/// always be encoded).
pub(crate) fn is_baggage_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E) && b != b'%'
}

/// Encodes every byte outside `baggage-octet` (and `%`) as `%XX`. `+` is encoded too,
/// though the spec allows it literally, because form-decoding peers (OpenTelemetry Python
/// up to at least 1.45) would read it as a space.
///
/// ```
/// # use baton_core::propagation::percent_encode;
/// assert_eq!(percent_encode("Amélie, 5%"), "Am%C3%A9lie%2C%205%25");
/// ```
pub fn percent_encode(value: &str) -> Cow<'_, str> {
    let plain = |b: u8| is_baggage_octet(b) && b != b'+';
    if value.bytes().all(plain) {
        return Cow::Borrowed(value);
    }
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() + 8);
    for b in value.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xF)]));
        }
    }
    Cow::Owned(out)
}

/// Decodes a value encoded as form data, as jaeger-client libraries encode `uberctx-*`
/// baggage (Go's `url.QueryEscape`, Java's `URLEncoder`): `+` is a space, then `%XX`
/// sequences as [`percent_decode`] (so `%2B` stays a plus).
///
/// ```
/// # use baton_core::propagation::form_decode;
/// assert_eq!(form_decode("acme+corp"), "acme corp");
/// assert_eq!(form_decode("1%2B1"), "1+1");
/// ```
pub fn form_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('+') {
        return percent_decode(value);
    }
    let spaced = value.replace('+', " ");
    match percent_decode(&spaced) {
        Cow::Borrowed(_) => Cow::Owned(spaced),
        Cow::Owned(decoded) => Cow::Owned(decoded),
    }
}

/// Decodes `%XX` sequences (either case). A `%` not followed by two hex digits is kept as
/// it is; byte sequences that are not UTF-8 become U+FFFD, as the Baggage spec requires.
///
/// ```
/// # use baton_core::propagation::percent_decode;
/// assert_eq!(percent_decode("Am%C3%A9lie"), "Amélie");
/// assert_eq!(percent_decode("100%"), "100%");
/// assert_eq!(percent_decode("%DF%28"), "\u{FFFD}(");
/// ```
pub fn percent_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let b = value.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(byte) = super::hex::decode_u8(&b[i + 1..i + 3], super::hex::Case::Any)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_test_vector_round_trips() {
        let value = "\t \"';=asdf!@#$%^&*()";
        let encoded = percent_encode(value);
        assert_eq!(encoded, "%09%20%22'%3B=asdf!@#$%25^&*()");
        assert_eq!(percent_decode(&encoded), value);
        assert_eq!(
            percent_decode("%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29"),
            value
        );
    }

    #[test]
    fn decodes_edge_cases() {
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
        assert_eq!(percent_decode("+"), "+");
        assert_eq!(percent_encode("1+1"), "1%2B1");
    }

    #[test]
    fn plain_values_are_borrowed() {
        assert!(matches!(percent_encode("abc"), Cow::Borrowed(_)));
        assert!(matches!(percent_decode("abc"), Cow::Borrowed(_)));
    }
}
