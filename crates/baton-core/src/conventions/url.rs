//! `url.full` and `url.query` redaction.

use std::borrow::Cow;

use super::url_text::url_ranges;

/// The replacement for redacted credentials and query values.
pub const REDACTED: &str = "REDACTED";

/// Query parameters whose values are redacted by default, as the conventions list them.
pub const DEFAULT_SENSITIVE_QUERY_KEYS: [&str; 4] =
    ["AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"];

/// Removes secrets from URLs before they become span attributes: user info becomes
/// `REDACTED:REDACTED`, and the values of sensitive query parameters become `REDACTED`
/// (by default `AWSAccessKeyId`, `Signature`, `sig`, `X-Goog-Signature` and every `X-Amz-*`
/// parameter; add your own with [`with_query_key`](Self::with_query_key)). A URL with nothing
/// to redact is returned borrowed.
///
/// ```
/// use baton_core::conventions::UrlRedactor;
///
/// let r = UrlRedactor::default().with_query_key("api_key");
/// assert_eq!(
///     r.redact_url("https://alice:pw@api.example/v1?sig=abc&X-Amz-Credential=k&api_key=s&q=1"),
///     "https://REDACTED:REDACTED@api.example/v1?sig=REDACTED&X-Amz-Credential=REDACTED&api_key=REDACTED&q=1"
/// );
/// assert_eq!(r.redact_query("page=2"), "page=2");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlRedactor {
    /// Shared, so that every exchange can hold the layer's redactor for the price of a
    /// reference count (nothing at all for the default one).
    extra: Option<std::sync::Arc<[String]>>,
}

impl UrlRedactor {
    /// Also redacts the value of query parameter `key` (matched exactly).
    pub fn with_query_key(self, key: impl Into<String>) -> Self {
        let mut extra: Vec<String> = self.extra.as_deref().unwrap_or_default().to_vec();
        extra.push(key.into());
        UrlRedactor {
            extra: Some(extra.into()),
        }
    }

    fn is_sensitive(&self, key: &str) -> bool {
        DEFAULT_SENSITIVE_QUERY_KEYS.contains(&key)
            || key
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"))
            || self.extra.iter().flat_map(|e| e.iter()).any(|k| k == key)
    }

    /// Redacts a query string (without the leading `?`).
    pub fn redact_query<'a>(&self, query: &'a str) -> Cow<'a, str> {
        let needs = query.split('&').any(|p| {
            p.split_once('=')
                .is_some_and(|(k, v)| v != REDACTED && self.is_sensitive(k))
        });
        if !needs {
            return Cow::Borrowed(query);
        }
        let mut out = String::with_capacity(query.len());
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((k, _)) if self.is_sensitive(k) => {
                    out.push_str(k);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(pair),
            }
        }
        Cow::Owned(out)
    }

    /// Redacts every URL inside free text (an error message, a `Location` or `Referer`
    /// header), leaving the rest as it is: absolute `http://` and `https://` URLs in any
    /// letter case, and references starting with `/` (`/download?sig=…`,
    /// `//bucket/key?X-Amz-Signature=…`) at the start or after a space or an opening
    /// bracket or quote. A URL ends at whitespace, `"`, `<`, `>`, a `)` that closes no `(`
    /// inside it, or the `'` that opened it. One pass: the work is linear in the text.
    ///
    /// ```
    /// use baton_core::conventions::UrlRedactor;
    ///
    /// let text = "error sending request for url (http://u:p@api.example/x?sig=s)";
    /// assert_eq!(UrlRedactor::default().redact_text(text), "error sending request for url (http://REDACTED:REDACTED@api.example/x?sig=REDACTED)");
    /// ```
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_text_counting(text, &mut 0)
    }

    /// [`redact_text`](Self::redact_text), adding the bytes examined to `work`.
    fn redact_text_counting<'a>(&self, text: &'a str, work: &mut usize) -> Cow<'a, str> {
        let mut out = String::new();
        let mut copied = 0;
        for range in url_ranges(text, work) {
            let url = &text[range.clone()];
            // `redact_url` reads its URL a bounded number of times over.
            *work += url.len();
            if let Cow::Owned(redacted) = self.redact_url(url) {
                out.push_str(&text[copied..range.start]);
                out.push_str(&redacted);
                copied = range.end;
            }
        }
        if copied == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// Redacts an absolute URL for `url.full` (or a reference starting with `/`).
    pub fn redact_url<'a>(&self, url: &'a str) -> Cow<'a, str> {
        // Byte scans, each over its part only (a URL without a query is read once, up to
        // the end of its authority and then to its end): `str::find` per character costs
        // more in setup than these whole loops on URLs of a few dozen bytes.
        let bytes = url.as_bytes();
        let base_end = bytes
            .iter()
            .position(|&b| b == b'?' || b == b'#')
            .unwrap_or(bytes.len());
        let (base, query, fragment) = match bytes.get(base_end) {
            Some(b'?') => {
                let rest = &url[base_end + 1..];
                match rest.bytes().position(|b| b == b'#') {
                    Some(i) => (&url[..base_end], Some(&rest[..i]), &rest[i..]),
                    None => (&url[..base_end], Some(rest), ""),
                }
            }
            _ => (&url[..base_end], None, &url[base_end..]),
        };
        let b = base.as_bytes();
        // A network-path reference (`//host/path`) has its authority right after the `//`;
        // otherwise it follows the first `://`.
        let authority_start = if b.starts_with(b"//") {
            2
        } else {
            b.windows(3).position(|w| w == b"://").map_or(0, |i| i + 3)
        };
        let authority = &b[authority_start..];
        let authority_len = authority
            .iter()
            .position(|&c| c == b'/')
            .unwrap_or(authority.len());
        let userinfo = authority[..authority_len]
            .iter()
            .rposition(|&c| c == b'@')
            .map(|i| authority_start + i);
        let query_redacted = query.map(|q| self.redact_query(q));
        let query_changed = matches!(query_redacted, Some(Cow::Owned(_)));
        if userinfo.is_none() && !query_changed {
            return Cow::Borrowed(url);
        }
        let mut out = String::with_capacity(url.len() + 16);
        match userinfo {
            Some(at) => {
                out.push_str(&base[..authority_start]);
                out.push_str("REDACTED:REDACTED");
                out.push_str(&base[at..]);
            }
            None => out.push_str(base),
        }
        if let Some(q) = query_redacted {
            out.push('?');
            out.push_str(&q);
        }
        out.push_str(fragment);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts `redact_url` finds, found with `str` searches, as the first version did:
    /// the oracle for the byte scans.
    fn reference(r: &UrlRedactor, url: &str) -> String {
        let (before_fragment, fragment) = match url.find('#') {
            Some(i) => (&url[..i], &url[i..]),
            None => (url, ""),
        };
        let (base, query) = match before_fragment.find('?') {
            Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
            None => (before_fragment, None),
        };
        let start = if base.starts_with("//") {
            2
        } else {
            base.find("://").map_or(0, |i| i + 3)
        };
        let end = base[start..].find('/').map_or(base.len(), |i| start + i);
        let mut out = match base[start..end].rfind('@') {
            Some(at) => format!("{}REDACTED:REDACTED{}", &base[..start], &base[start + at..]),
            None => base.to_owned(),
        };
        if let Some(q) = query {
            out.push('?');
            out.push_str(&r.redact_query(q));
        }
        out.push_str(fragment);
        out
    }

    proptest::proptest! {
        #[test]
        fn the_byte_scans_find_what_str_searches_find(
            url in "(https?:)?(//)?([a-z:]{0,6}@)?[a-z.:@]{0,12}(/[a-z@:/]{0,8})?(\\?[a-z=&@#?]{0,12})?(#[a-z?#]{0,4})?"
        ) {
            let r = UrlRedactor::default();
            proptest::prop_assert_eq!(r.redact_url(&url).into_owned(), reference(&r, &url));
        }
    }

    #[test]
    fn credentials() {
        let r = UrlRedactor::default();
        assert_eq!(
            r.redact_url("https://user:pass@www.example.com/"),
            "https://REDACTED:REDACTED@www.example.com/"
        );
        assert_eq!(
            r.redact_url("https://user@www.example.com"),
            "https://REDACTED:REDACTED@www.example.com"
        );
        assert_eq!(
            r.redact_url("http://a:b@c@host:8080/p?x=1#f"),
            "http://REDACTED:REDACTED@host:8080/p?x=1#f"
        );
        assert_eq!(
            r.redact_url("https://example.com/path/@not-userinfo"),
            "https://example.com/path/@not-userinfo"
        );
    }

    #[test]
    fn urls_inside_text() {
        let r = UrlRedactor::default();
        assert_eq!(r.redact_text("no url here"), "no url here");
        assert_eq!(
            r.redact_text("a http://x/?sig=1 and 'https://u:p@y/z' end"),
            "a http://x/?sig=REDACTED and 'https://REDACTED:REDACTED@y/z' end"
        );
        assert!(matches!(r.redact_text("see http://x/ok"), Cow::Borrowed(_)));
        assert_eq!(r.redact_text("http://"), "http://");
    }

    #[test]
    fn urls_in_text_with_any_scheme_case_parentheses_and_quotes() {
        let r = UrlRedactor::default();
        let cases = [
            (
                "error sending request for url (https://h/report(1).pdf?sig=S)",
                "error sending request for url (https://h/report(1).pdf?sig=REDACTED)",
            ),
            ("HTTPS://user:pw@h/", "HTTPS://REDACTED:REDACTED@h/"),
            (
                "Http://h/?X-Amz-Signature=S&a=1",
                "Http://h/?X-Amz-Signature=REDACTED&a=1",
            ),
            (
                "it's https://h/a'b?sig=S now",
                "it's https://h/a'b?sig=REDACTED now",
            ),
            (
                "'https://u:p@y/z' end",
                "'https://REDACTED:REDACTED@y/z' end",
            ),
            (
                "see (https://h/x?sig=S), then",
                "see (https://h/x?sig=REDACTED), then",
            ),
            ("(https://h/x?sig=S))", "(https://h/x?sig=REDACTED))"),
            ("/download?sig=S", "/download?sig=REDACTED"),
            (
                "//bucket/k?X-Amz-Signature=S",
                "//bucket/k?X-Amz-Signature=REDACTED",
            ),
            ("//u:p@bucket/k", "//REDACTED:REDACTED@bucket/k"),
            (
                "</next?sig=S>; rel=\"next\"",
                "</next?sig=REDACTED>; rel=\"next\"",
            ),
            ("GET /a?sig=S failed", "GET /a?sig=REDACTED failed"),
        ];
        for (text, expected) in cases {
            assert_eq!(r.redact_text(text), expected, "{text}");
        }
        // Not URLs: a slash inside a word, a path without a query, a bare scheme.
        for text in ["a/b?sig=S", "/plain/path", "HTTP://", "https:/x?sig=S"] {
            assert!(matches!(r.redact_text(text), Cow::Borrowed(_)), "{text}");
        }
    }

    /// The work `redact_text` does (bytes examined, including those `redact_url` reads) is
    /// at most a small constant times the text's length, whatever the text: no rescans.
    #[test]
    fn text_redaction_is_linear_in_the_text() {
        let r = UrlRedactor::default().with_query_key("token");
        let hostile = [
            "http:// ".repeat(50_000),
            "https://".repeat(50_000),
            "HTTP://x ".repeat(40_000),
            "(http://h/a(b)?sig=1) ".repeat(20_000),
            format!("http://h/?{}", "sig=1&".repeat(50_000)),
            " /a?sig=1".repeat(40_000),
            "((((((((".repeat(50_000),
            format!("http://{}", "(".repeat(400_000)),
        ];
        for text in &hostile {
            let mut work = 0;
            let _ = r.redact_text_counting(text, &mut work);
            assert!(
                work <= 4 * text.len(),
                "{} bytes cost {work} steps: {:?}",
                text.len(),
                &text[..16]
            );
        }
    }

    #[test]
    fn query_values() {
        let r = UrlRedactor::default();
        assert_eq!(
            r.redact_url("https://www.example.com/path?color=blue&sig=0123456789abcdef&Signature=x&AWSAccessKeyId=y&X-Goog-Signature=z"),
            "https://www.example.com/path?color=blue&sig=REDACTED&Signature=REDACTED&AWSAccessKeyId=REDACTED&X-Goog-Signature=REDACTED"
        );
        assert_eq!(
            r.redact_query("x-amz-security-token=t&sig"),
            "x-amz-security-token=REDACTED&sig"
        );
        assert!(matches!(
            r.redact_url("https://example.com/?a=1"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(r.redact_query("sig=REDACTED"), Cow::Borrowed(_)));
        assert_eq!(
            r.redact_url("https://example.com/?Sig=1"),
            "https://example.com/?Sig=1"
        );
    }
}
