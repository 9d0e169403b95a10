//! W3C Baggage: the `baggage` header (<https://www.w3.org/TR/baggage/>).

use opentelemetry::baggage::{Baggage, BaggageExt, BaggageMetadata};
use opentelemetry::propagation::{
    Extractor, Injector, TextMapPropagator, text_map_propagator::FieldIter,
};
use opentelemetry::{Context, Key, StringValue};
use std::sync::OnceLock;

use super::percent::{is_baggage_octet, percent_decode, percent_encode};

const BAGGAGE: &str = "baggage";
/// Most list members propagated; the spec requires at least this many be kept.
pub const MAX_MEMBERS: usize = 64;
/// Most bytes of baggage propagated, separators included; the spec's floor.
pub const MAX_BYTES: usize = 8192;

/// Propagates [`Baggage`] in the W3C Baggage format.
///
/// Extraction percent-decodes values, keeps properties (`;k=v`, `;k`) as metadata, skips
/// a member that breaks the grammar (the rest of the header still counts), and keeps members
/// in order up to 64 members and 8,192 bytes, dropping whole members beyond. Injection
/// percent-encodes values, leaves out a member whose key is not an HTTP token and a property
/// list that would not be a valid header, and applies the same limits.
///
/// ```
/// use baton_core::propagation::{BaggagePropagator, HeaderExtractor};
/// use opentelemetry::baggage::BaggageExt;
/// use opentelemetry::propagation::TextMapPropagator;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("baggage", "tenant.id=acme, user=Am%C3%A9lie;pii".parse().unwrap());
/// let cx = BaggagePropagator::new().extract(&HeaderExtractor(&headers));
/// assert_eq!(cx.baggage().get("user").map(|v| v.as_str()), Some("Amélie"));
/// assert_eq!(cx.baggage().get_with_metadata("user").unwrap().1.as_str(), "pii");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BaggagePropagator {
    _private: (),
}

impl BaggagePropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        BaggagePropagator { _private: () }
    }
}

/// RFC 7230 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// One parsed list member: key, decoded value, and its properties re-serialised without
/// optional whitespace (`p1;p2=v`).
fn parse_member(member: &str) -> Option<(&str, String, String)> {
    let mut parts = member.split(';');
    let (key, value) = parts.next()?.split_once('=')?;
    let (key, value) = (trim(key), trim(value));
    if !is_token(key) || !value.bytes().all(|b| is_baggage_octet(b) || b == b'%') {
        return None;
    }
    let mut properties = String::new();
    for property in parts {
        let (k, v) = match property.split_once('=') {
            Some((k, v)) => (trim(k), Some(trim(v))),
            None => (trim(property), None),
        };
        if !is_token(k) || v.is_some_and(|v| !v.bytes().all(|b| is_baggage_octet(b) || b == b'%')) {
            return None;
        }
        if !properties.is_empty() {
            properties.push(';');
        }
        properties.push_str(k);
        if let Some(v) = v {
            properties.push('=');
            properties.push_str(v);
        }
    }
    Some((key, percent_decode(value).into_owned(), properties))
}

/// Parses the `baggage` header values in order into (key, value, properties) entries within
/// the limits. Used by the propagator and by the fuzz targets.
pub(crate) fn parse(values: &[&str]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut bytes = 0;
    for member in values.iter().flat_map(|v| v.split(',')) {
        let member = trim(member);
        if member.is_empty() {
            continue;
        }
        let Some((key, value, properties)) = parse_member(member) else {
            continue;
        };
        let cost = member.len() + usize::from(!out.is_empty());
        if out.len() == MAX_MEMBERS || bytes + cost > MAX_BYTES {
            break;
        }
        bytes += cost;
        out.push((key.to_owned(), value, properties));
    }
    out
}

/// Whether a stored property list can be sent as it is.
fn sendable_properties(p: &str) -> bool {
    p.split(';').all(|prop| {
        let (k, v) = prop.split_once('=').unwrap_or((prop, ""));
        is_token(trim(k)) && trim(v).bytes().all(|b| is_baggage_octet(b) || b == b'%')
    })
}

/// Serialises baggage for sending, or `None` when nothing may be sent.
pub(crate) fn header<'a>(
    entries: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Option<String> {
    let mut out = String::new();
    let mut count = 0;
    for (key, value, properties) in entries {
        if !is_token(key) || count == MAX_MEMBERS {
            continue;
        }
        let value = percent_encode(value);
        let properties = if !properties.is_empty() && sendable_properties(properties) {
            properties
        } else {
            ""
        };
        let sep = usize::from(!out.is_empty());
        let len = sep
            + key.len()
            + 1
            + value.len()
            + if properties.is_empty() {
                0
            } else {
                properties.len() + 1
            };
        if out.len() + len > MAX_BYTES {
            continue;
        }
        if sep == 1 {
            out.push(',');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(&value);
        if !properties.is_empty() {
            out.push(';');
            out.push_str(properties);
        }
        count += 1;
    }
    (!out.is_empty()).then_some(out)
}

/// Adds entries to the context's baggage (later keys replace earlier ones).
pub(crate) fn merge(cx: &Context, entries: Vec<(String, String, String)>) -> Context {
    if entries.is_empty() {
        return cx.clone();
    }
    let mut baggage: Baggage = cx
        .baggage()
        .iter()
        .map(|(k, (v, m))| (k.clone(), (v.clone(), m.clone())))
        .collect();
    for (key, value, properties) in entries {
        baggage.insert_with_metadata(
            Key::new(key),
            StringValue::from(value),
            BaggageMetadata::from(properties),
        );
    }
    cx.with_baggage(baggage)
}

impl TextMapPropagator for BaggagePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let baggage = cx.baggage();
        if baggage.is_empty() {
            return;
        }
        let entries = baggage
            .iter()
            .map(|(k, (v, m))| (k.as_str(), v.as_str(), m.as_str()));
        if let Some(value) = header(entries) {
            injector.set(BAGGAGE, value);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        match extractor.get_all(BAGGAGE) {
            Some(values) => merge(cx, parse(&values)),
            None => cx.clone(),
        }
    }

    fn fields(&self) -> FieldIter<'_> {
        static FIELDS: OnceLock<[String; 1]> = OnceLock::new();
        FieldIter::new(FIELDS.get_or_init(|| [BAGGAGE.to_owned()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(values: &[&str]) -> Vec<(String, String, String)> {
        parse(values)
    }

    fn entry(k: &str, v: &str, p: &str) -> (String, String, String) {
        (k.into(), v.into(), p.into())
    }

    #[test]
    fn w3c_examples() {
        assert_eq!(
            parsed(&["SomeKey \t = \t SomeValue \t ; \t SomeProp"]),
            vec![entry("SomeKey", "SomeValue", "SomeProp")]
        );
        assert_eq!(
            parsed(&["SomeKey=SomeValue=equals"]),
            vec![entry("SomeKey", "SomeValue=equals", "")]
        );
        assert_eq!(
            parsed(&[
                "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue"
            ]),
            vec![
                entry("key1", "value1", "property1;property2"),
                entry("key2", "value2", ""),
                entry("key3", "value3", "propertyKey=propertyValue")
            ]
        );
        assert_eq!(
            parsed(&["userId=Am%C3%A9lie", "serverNode=DF%2028"]),
            vec![
                entry("userId", "Amélie", ""),
                entry("serverNode", "DF 28", "")
            ]
        );
    }

    #[test]
    fn invalid_members_are_skipped_alone() {
        let got =
            parsed(&["good=1,no-equals,bad key=2,k=v v,=empty,k2=\"q\",ok=2;bad prop,last=3"]);
        assert_eq!(got, vec![entry("good", "1", ""), entry("last", "3", "")]);
        assert_eq!(parsed(&["empty="]), vec![entry("empty", "", "")]);
    }

    #[test]
    fn limits_drop_whole_members() {
        let many: Vec<String> = (0..70).map(|i| format!("k{i}=v")).collect();
        let got = parsed(&[&many.join(",")]);
        assert_eq!(got.len(), 64);
        assert_eq!(got[63].0, "k63");

        let exact = format!("a={}", "x".repeat(8190));
        assert_eq!(parsed(&[&exact])[0].1.len(), 8190);
        let over = format!("a={}", "x".repeat(8191));
        assert!(parsed(&[&over]).is_empty());
        let two = format!("a={},b=1", "x".repeat(8188));
        assert_eq!(parsed(&[&two]).len(), 1);
    }

    #[test]
    fn header_encodes_and_respects_limits() {
        let h = header(
            [
                ("k", "a b,c", ""),
                ("bad key", "v", ""),
                ("p", "1", "x=1;y"),
                ("q", "2", "bad\nprop"),
            ]
            .into_iter(),
        )
        .unwrap();
        assert_eq!(h, "k=a%20b%2Cc,p=1;x=1;y,q=2");
        let keys: Vec<String> = (0..80).map(|i| format!("k{i}")).collect();
        let h = header(keys.iter().map(|k| (k.as_str(), "v", ""))).unwrap();
        assert_eq!(h.split(',').count(), 64);
        let big = "x".repeat(5000);
        let h = header(
            [
                ("a", big.as_str(), ""),
                ("b", big.as_str(), ""),
                ("c", "1", ""),
            ]
            .into_iter(),
        )
        .unwrap();
        assert!(h.len() <= MAX_BYTES && h.ends_with(",c=1"));
        assert_eq!(header(std::iter::empty()), None);
    }
}
