//! `tracestate` parsing, validation and truncation (W3C Trace Context, section 3.3).

use opentelemetry::trace::TraceState;

/// Most list members a `tracestate` may hold.
pub const MAX_MEMBERS: usize = 32;
/// Longest `tracestate` header baton sends; longer lists are truncated by whole entries.
pub const MAX_HEADER_LEN: usize = 512;
/// Entries longer than this are the first to go when a list must be truncated.
const LARGE_ENTRY: usize = 128;

fn is_key_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'*' | b'/')
}

/// `simple-key` or `tenant-id@system-id`, exactly as the grammar in the spec.
pub(crate) fn valid_key(key: &str) -> bool {
    let k = key.as_bytes();
    match k.iter().position(|&b| b == b'@') {
        None => {
            (1..=256).contains(&k.len())
                && k[0].is_ascii_lowercase()
                && k.iter().all(|&b| is_key_char(b))
        }
        Some(at) => {
            let (tenant, system) = (&k[..at], &k[at + 1..]);
            (1..=241).contains(&tenant.len())
                && (tenant[0].is_ascii_lowercase() || tenant[0].is_ascii_digit())
                && tenant.iter().all(|&b| is_key_char(b))
                && (1..=14).contains(&system.len())
                && system[0].is_ascii_lowercase()
                && system.iter().all(|&b| is_key_char(b))
        }
    }
}

/// 1 to 256 printable ASCII characters other than `,` and `=`, not ending in a space.
pub(crate) fn valid_value(value: &str) -> bool {
    let v = value.as_bytes();
    (1..=256).contains(&v.len())
        && v[v.len() - 1] != b' '
        && v.iter()
            .all(|&b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=')
}

/// Parses the `tracestate` header values in the order received (several headers form one
/// list). Empty and whitespace-only members are allowed. A list with an invalid member, a
/// repeated key or more than 32 members is discarded whole: the spec forbids propagating a
/// tracestate the parser did not understand.
pub(crate) fn parse(values: &[&str]) -> TraceState {
    let mut members: Vec<(&str, &str)> = Vec::new();
    for member in values.iter().flat_map(|v| v.split(',')) {
        let member = member.trim_matches(|c| c == ' ' || c == '\t');
        if member.is_empty() {
            continue;
        }
        let Some((key, value)) = member.split_once('=') else {
            return TraceState::NONE;
        };
        if !valid_key(key)
            || !valid_value(value)
            || members.len() == MAX_MEMBERS
            || members.iter().any(|(k, _)| *k == key)
        {
            return TraceState::NONE;
        }
        members.push((key, value));
    }
    build(members)
}

/// The OpenTelemetry API applies its own, slightly narrower, key rule (system ids of at most
/// 13 characters where the spec allows 14); a member it would refuse is left out rather than
/// losing the whole list.
fn build(members: Vec<(&str, &str)>) -> TraceState {
    let api_accepts = |key: &str| key.rfind('@').is_none_or(|at| key.len() - at - 1 <= 13);
    TraceState::from_key_value(members.into_iter().filter(|(k, _)| api_accepts(k)))
        .unwrap_or_default()
}

/// Serialises `state` for sending: `None` when empty, otherwise at most 512 characters,
/// shortened by removing whole entries, those over 128 characters first, then from the end.
pub(crate) fn header(state: &TraceState) -> Option<String> {
    let header = state.header();
    if header.is_empty() {
        return None;
    }
    if header.len() <= MAX_HEADER_LEN {
        return Some(header);
    }
    let entries: Vec<&str> = header.split(',').collect();
    let mut keep: Vec<bool> = entries.iter().map(|_| true).collect();
    // Every kept entry counted with one comma: the header is `len - 1` long (the count
    // never goes below zero, even when the last entry goes).
    let mut len = header.len() + 1;
    let drop = |i: usize, len: &mut usize, keep: &mut [bool]| {
        keep[i] = false;
        *len -= entries[i].len() + 1;
    };
    for i in (0..entries.len()).rev() {
        if len > MAX_HEADER_LEN + 1 && entries[i].len() > LARGE_ENTRY {
            drop(i, &mut len, &mut keep);
        }
    }
    for i in (0..entries.len()).rev() {
        if len > MAX_HEADER_LEN + 1 && keep[i] {
            drop(i, &mut len, &mut keep);
        }
    }
    let kept: Vec<&str> = entries
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(e, _)| *e)
        .collect();
    (!kept.is_empty()).then(|| kept.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(values: &[&str]) -> String {
        parse(values).header()
    }

    #[test]
    fn keys_follow_the_grammar() {
        assert!(valid_key("foo"));
        assert!(valid_key("abcdefghijklmnopqrstuvwxyz0123456789_-*/"));
        assert!(valid_key("tenant@vendor"));
        assert!(valid_key("0tenant@v"));
        assert!(valid_key(&"k".repeat(256)));
        assert!(!valid_key(&"k".repeat(257)));
        assert!(valid_key(&format!(
            "{}@{}",
            "t".repeat(241),
            "v".repeat(14)
        )));
        assert!(!valid_key(&format!(
            "{}@{}",
            "t".repeat(242),
            "v".repeat(14)
        )));
        assert!(!valid_key(&format!(
            "{}@{}",
            "t".repeat(241),
            "v".repeat(15)
        )));
        for bad in [
            "", "Foo", "0foo", "foo bar", "foo.bar", "a@", "@v", "a@0v", "a@b@c", "foo!",
        ] {
            assert!(!valid_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn values_follow_the_grammar() {
        assert!(valid_value("1"));
        assert!(valid_value(
            " !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
        ));
        assert!(valid_value(&"v".repeat(256)));
        for bad in ["", "a ", "a,b", "a=b", "\u{7f}", "é", &"v".repeat(257)] {
            assert!(!valid_value(bad), "{bad:?}");
        }
    }

    #[test]
    fn joins_headers_in_order_and_tolerates_ows_and_empty_members() {
        assert_eq!(
            parsed(&["foo=1 \t , \t bar=2,", " ", "baz=3"]),
            "foo=1,bar=2,baz=3"
        );
        assert_eq!(parsed(&[""]), "");
    }

    #[test]
    fn discards_whole_list_when_invalid() {
        assert_eq!(parsed(&["foo=1,foo=1"]), "");
        assert_eq!(parsed(&["foo=1", "foo=2"]), "");
        assert_eq!(parsed(&["foo=1,bar"]), "");
        assert_eq!(parsed(&["foo =1"]), "");
        assert_eq!(parsed(&["foo=1,BAR=2"]), "");
        assert_eq!(parsed(&["foo=\u{1}"]), "");
    }

    #[test]
    fn member_limit_is_32() {
        let list = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}=v"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(parse(&[&list(32)]).header().split(',').count(), 32);
        assert_eq!(parsed(&[&list(33)]), "");
    }

    #[test]
    fn member_the_api_cannot_hold_is_dropped_alone() {
        let long_system = format!("t@{}", "v".repeat(14));
        assert_eq!(parsed(&[&format!("a=1,{long_system}=2,b=3")]), "a=1,b=3");
    }

    #[test]
    fn header_truncates_large_entries_first_then_from_the_end() {
        let big = format!("big={}", "x".repeat(200));
        let mut list = vec![format!("first={}", "a".repeat(100)), big];
        list.extend((0..6).map(|i| format!("k{i}={}", "b".repeat(60))));
        let state = parse(&[&list.join(",")]);
        let out = header(&state).unwrap();
        assert!(out.len() <= MAX_HEADER_LEN, "{}", out.len());
        assert!(!out.contains("big="));
        assert!(out.starts_with("first="));
        assert!(out.contains("k0=") && out.contains("k5="), "{out}");

        let many: Vec<String> = (0..20)
            .map(|i| format!("k{i:02}={}", "c".repeat(40)))
            .collect();
        let out = header(&parse(&[&many.join(",")])).unwrap();
        assert!(out.len() <= MAX_HEADER_LEN);
        assert!(out.starts_with("k00=") && !out.contains("k19="));
        assert_eq!(header(&TraceState::NONE), None);
    }

    /// The longest member the grammar allows (a 256-character key, `=`, a 256-character
    /// value) is 513 characters: alone it cannot be sent at all, beside others it goes.
    #[test]
    fn a_513_character_member_is_dropped_without_underflow() {
        let longest = format!("{}={}", "k".repeat(256), "v".repeat(256));
        assert_eq!(longest.len(), 513);
        assert_eq!(header(&parse(&[&longest])), None);
        assert_eq!(
            header(&parse(&[&format!("a=1,{longest},b=2")])).as_deref(),
            Some("a=1,b=2")
        );
        let near = format!("{}={}", "k".repeat(256), "v".repeat(255));
        assert_eq!(header(&parse(&[&near])).as_deref(), Some(near.as_str()));
    }
}
