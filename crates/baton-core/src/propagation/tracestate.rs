//! `tracestate` parsing, validation and truncation (W3C Trace Context, section 3.3).

use opentelemetry::trace::TraceState;

/// Most list members a `tracestate` may hold.
pub const MAX_MEMBERS: usize = 32;
/// Longest `tracestate` header baton sends; longer lists are truncated by whole entries.
pub const MAX_HEADER_LEN: usize = 512;
/// Entries longer than this are the first to go when a list must be truncated.
const LARGE_ENTRY: usize = 128;

fn is_key_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'*' | b'/' | b'@')
}

/// `( lcalpha / DIGIT ) 0*255 keychar`, `keychar` including `@`: the grammar of the current
/// editor's draft (Level 2), which no longer splits a key into tenant and system ids.
pub(crate) fn valid_key(key: &str) -> bool {
    let k = key.as_bytes();
    (1..=256).contains(&k.len())
        && (k[0].is_ascii_lowercase() || k[0].is_ascii_digit())
        && k.iter().all(|&b| is_key_char(b))
}

/// 1 to 256 printable ASCII characters other than `,` and `=`, not ending in a space.
pub(crate) fn valid_value(value: &str) -> bool {
    let v = value.as_bytes();
    (1..=256).contains(&v.len())
        && v[v.len() - 1] != b' '
        && v.iter()
            .all(|&b| (0x20..=0x7e).contains(&b) && b != b',' && b != b'=')
}

/// A received `tracestate` list: what the OpenTelemetry API's `TraceState` holds of it, and
/// the whole list (every member valid by the draft's grammar, in order) when the API could
/// not hold all of it.
#[derive(Debug, Default)]
pub(crate) struct List {
    pub(crate) state: TraceState,
    /// The whole list, when `state` lacks members of it.
    pub(crate) full: Option<String>,
}

/// Parses the `tracestate` header values in the order received (several headers form one
/// list). Empty and whitespace-only members are allowed. A repeated key keeps its first
/// member (the spec lets a vendor discard duplicates rather than the list). A list with an
/// invalid member or more than 32 members is discarded whole: the spec forbids propagating a
/// tracestate the parser did not understand.
pub(crate) fn parse(values: &[&str]) -> List {
    let mut members: Vec<(&str, &str)> = Vec::new();
    for member in values.iter().flat_map(|v| v.split(',')) {
        let member = member.trim_matches(|c| c == ' ' || c == '\t');
        if member.is_empty() {
            continue;
        }
        let Some((key, value)) = member.split_once('=') else {
            return List::default();
        };
        if !valid_key(key) || !valid_value(value) {
            return List::default();
        }
        // At most 32 members to compare with: linear in the header.
        if members.iter().any(|(k, _)| *k == key) {
            continue;
        }
        if members.len() == MAX_MEMBERS {
            return List::default();
        }
        members.push((key, value));
    }
    build(members)
}

/// Whether the OpenTelemetry API (0.33) takes a key the draft's grammar allows: it still
/// wants at most one `@`, followed by a letter or digit and at most 13 characters.
fn api_accepts(key: &str) -> bool {
    let mut ats = key.match_indices('@').map(|(i, _)| i);
    match (ats.next(), ats.next()) {
        (None, _) => true,
        (Some(at), None) => {
            key.len() - at - 1 <= 13
                && key
                    .as_bytes()
                    .get(at + 1)
                    .is_none_or(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        _ => false,
    }
}

/// The API's `TraceState` holds the members it accepts; the whole list is kept beside it
/// when it refused some, so that they are still sent on.
fn build(members: Vec<(&str, &str)>) -> List {
    let all_accepted = members.iter().all(|(k, _)| api_accepts(k));
    let state = TraceState::from_key_value(members.iter().copied().filter(|(k, _)| api_accepts(k)));
    let full = || {
        let mut out = String::new();
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        out
    };
    match state {
        Ok(state) if all_accepted => List { state, full: None },
        Ok(state) => List {
            state,
            full: Some(full()),
        },
        Err(_) => List {
            state: TraceState::NONE,
            full: Some(full()),
        },
    }
}

/// Serialises `state` for sending: `None` when empty, otherwise at most 512 characters,
/// shortened by removing whole entries, those over 128 characters first, then from the end.
pub(crate) fn header(state: &TraceState) -> Option<String> {
    truncate(state.header())
}

/// `header` (a serialised list) for sending: `None` when empty, otherwise at most 512
/// characters, shortened by removing whole entries, those over 128 characters first, then
/// from the end.
pub(crate) fn truncate(header: String) -> Option<String> {
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

    /// The list as it is sent on: every member kept, whether or not the API holds it.
    fn parsed(values: &[&str]) -> String {
        let list = parse(values);
        list.full.unwrap_or_else(|| list.state.header())
    }

    /// The key grammar of the current editor's draft (w3c/trace-context main):
    /// `( lcalpha / DIGIT ) 0*255 keychar`, `@` among the key characters; the cases are the
    /// test suite's (`test_tracestate_key_illegal_vendor_format`,
    /// `test_tracestate_key_length_limit`).
    #[test]
    fn keys_follow_the_grammar() {
        let good = [
            "foo".to_owned(),
            "abcdefghijklmnopqrstuvwxyz0123456789_-*/@".to_owned(),
            "tenant@vendor".to_owned(),
            "0tenant@v".to_owned(),
            "0foo".to_owned(),
            "foo@".to_owned(),
            "foo@@bar".to_owned(),
            "foo@bar@baz".to_owned(),
            "k".repeat(256),
            format!("{}@{}", "t".repeat(241), "v".repeat(14)),
            format!("{}@v", "t".repeat(242)),
            format!("t@{}", "v".repeat(15)),
            format!("k@{}", "x".repeat(254)),
            format!("k{}@", "x".repeat(254)),
        ];
        for key in &good {
            assert!(valid_key(key), "{key:?}");
        }
        let long = "k".repeat(257);
        let long_at = format!("k@{}", "x".repeat(255));
        for bad in [
            "", "Foo", "@foo", "@", "foo bar", "foo.bar", "foo!", "_foo", "*", &long, &long_at,
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
        assert_eq!(parsed(&["foo=1,bar"]), "");
        assert_eq!(parsed(&["foo =1"]), "");
        assert_eq!(parsed(&["foo=1,BAR=2"]), "");
        assert_eq!(parsed(&["foo=\u{1}"]), "");
        assert_eq!(parsed(&["@foo=1,bar=2"]), "");
        assert_eq!(parsed(&["foo=bar=baz"]), "");
        assert_eq!(parsed(&["foo=,bar=3"]), "");
    }

    /// The test suite's `test_tracestate_duplicated_keys`: the list is kept, with one of
    /// the repeated members (the first).
    #[test]
    fn duplicated_keys_keep_the_first_member() {
        assert_eq!(parsed(&["foo=1,foo=1"]), "foo=1");
        assert_eq!(parsed(&["foo=1,foo=2"]), "foo=1");
        assert_eq!(parsed(&["foo=1", "foo=1"]), "foo=1");
        assert_eq!(parsed(&["foo=1", "foo=2"]), "foo=1");
        assert_eq!(parsed(&["a=1,foo=1,b=2", "foo=3,c=4"]), "a=1,foo=1,b=2,c=4");
    }

    /// Keys the draft allows but the OpenTelemetry API's `TraceState` refuses (`foo@@bar`,
    /// a system id over 13 characters) are kept in the full list that is sent on.
    #[test]
    fn keys_the_api_refuses_are_kept_in_the_full_list() {
        let list = parse(&["foo@@bar=1,foo@=2,bar=3"]);
        assert_eq!(list.full.as_deref(), Some("foo@@bar=1,foo@=2,bar=3"));
        assert_eq!(list.state.header(), "foo@=2,bar=3");
        let plain = parse(&["a=1,b=2"]);
        assert_eq!(
            (plain.full, plain.state.header()),
            (None, "a=1,b=2".to_owned())
        );
    }

    #[test]
    fn member_limit_is_32() {
        let list = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}=v"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(parse(&[&list(32)]).state.header().split(',').count(), 32);
        assert_eq!(parsed(&[&list(33)]), "");
    }

    #[test]
    fn member_the_api_cannot_hold_is_dropped_from_its_state_alone() {
        let long_system = format!("t@{}", "v".repeat(14));
        let list = parse(&[&format!("a=1,{long_system}=2,b=3")]);
        assert_eq!(list.state.header(), "a=1,b=3");
        assert_eq!(list.full.unwrap(), format!("a=1,{long_system}=2,b=3"));
    }

    #[test]
    fn header_truncates_large_entries_first_then_from_the_end() {
        let big = format!("big={}", "x".repeat(200));
        let mut list = vec![format!("first={}", "a".repeat(100)), big];
        list.extend((0..6).map(|i| format!("k{i}={}", "b".repeat(60))));
        let state = parse(&[&list.join(",")]).state;
        let out = header(&state).unwrap();
        assert!(out.len() <= MAX_HEADER_LEN, "{}", out.len());
        assert!(!out.contains("big="));
        assert!(out.starts_with("first="));
        assert!(out.contains("k0=") && out.contains("k5="), "{out}");

        let many: Vec<String> = (0..20)
            .map(|i| format!("k{i:02}={}", "c".repeat(40)))
            .collect();
        let out = header(&parse(&[&many.join(",")]).state).unwrap();
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
        assert_eq!(header(&parse(&[&longest]).state), None);
        assert_eq!(
            header(&parse(&[&format!("a=1,{longest},b=2")]).state).as_deref(),
            Some("a=1,b=2")
        );
        let near = format!("{}={}", "k".repeat(256), "v".repeat(255));
        assert_eq!(
            header(&parse(&[&near]).state).as_deref(),
            Some(near.as_str())
        );
    }
}
