//! `key1=value1,key2=value2` lists, as `OTEL_RESOURCE_ATTRIBUTES` and
//! `OTEL_EXPORTER_OTLP_HEADERS` use them, with strict percent-decoding.

/// Why a list could not be read. Messages name the entry by position, never by value, so
/// they are safe to show for lists that carry credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListError(pub(crate) String);

/// Splits `list` into decoded `(key, value)` pairs. Entries are separated by commas, blank
/// entries are skipped, keys and values are trimmed and then percent-decoded. Any entry
/// without `=`, with an empty key, or with a broken `%XX` sequence fails the whole list, as
/// the Resource SDK specification asks. `"a=1, b=x%2Cy"` gives `a` = `1` and `b` = `x,y`.
pub(crate) fn parse_pairs(list: &str) -> Result<Vec<(String, String)>, ListError> {
    let mut pairs = Vec::new();
    for (index, entry) in list.split(',').enumerate() {
        let n = index + 1;
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let Some((key, value)) = entry.split_once('=') else {
            return Err(ListError(format!(
                "entry {n} has no \"=\"; expected key=value pairs separated by commas"
            )));
        };
        let key = decode(key.trim()).map_err(|why| ListError(format!("entry {n}: key {why}")))?;
        if key.is_empty() {
            return Err(ListError(format!("entry {n} has an empty key")));
        }
        let value =
            decode(value.trim()).map_err(|why| ListError(format!("entry {n}: value {why}")))?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// Strict percent-decoding: every `%` must start a `%XX` escape and the result must be UTF-8.
fn decode(text: &str) -> Result<String, &'static str> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("has a \"%\" that is not followed by two hex digits")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8 once percent-decoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(list: &str) -> Vec<(String, String)> {
        parse_pairs(list).unwrap()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    }

    #[test]
    fn splits_trims_and_decodes() {
        assert_eq!(
            ok(" a = 1 ,b=x%2Cy,, c%3Dd=%C3%A9t%C3%A9 ,"),
            pairs(&[("a", "1"), ("b", "x,y"), ("c=d", "été")])
        );
        assert_eq!(ok("k=a=b"), pairs(&[("k", "a=b")]));
        assert_eq!(ok("k="), pairs(&[("k", "")]));
        assert_eq!(ok(""), pairs(&[]));
    }

    #[test]
    fn refuses_malformed_entries() {
        let err = |list| parse_pairs(list).unwrap_err().0;
        assert_eq!(
            err("a=1,secret"),
            "entry 2 has no \"=\"; expected key=value pairs separated by commas"
        );
        assert_eq!(err("=1"), "entry 1 has an empty key");
        assert_eq!(
            err("a=50%"),
            "entry 1: value has a \"%\" that is not followed by two hex digits"
        );
        assert_eq!(
            err("a=%zz"),
            "entry 1: value has a \"%\" that is not followed by two hex digits"
        );
        assert_eq!(
            err("a=%FF"),
            "entry 1: value is not UTF-8 once percent-decoded"
        );
        assert_eq!(
            err("%4=1"),
            "entry 1: key has a \"%\" that is not followed by two hex digits"
        );
    }
}
