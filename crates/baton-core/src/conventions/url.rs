//! `url.full` and `url.query` redaction.

use std::borrow::Cow;

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

    /// Redacts every absolute `http://` or `https://` URL inside free text (an error
    /// message, a `Location` or `Referer` header), leaving the rest as it is.
    ///
    /// ```
    /// use baton_core::conventions::UrlRedactor;
    ///
    /// let text = "error sending request for url (http://u:p@api.example/x?sig=s)";
    /// assert_eq!(UrlRedactor::default().redact_text(text), "error sending request for url (http://REDACTED:REDACTED@api.example/x?sig=REDACTED)");
    /// ```
    pub fn redact_text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let next_url = |s: &str| {
            [s.find("http://"), s.find("https://")]
                .into_iter()
                .flatten()
                .min()
        };
        let ends_url = |c: char| c.is_whitespace() || matches!(c, ')' | '"' | '\'' | '<' | '>');
        let mut out = String::new();
        let (mut copied, mut pos, mut changed) = (0, 0, false);
        while let Some(found) = next_url(&text[pos..]) {
            let start = pos + found;
            let len = text[start..].find(ends_url).unwrap_or(text.len() - start);
            if let Cow::Owned(redacted) = self.redact_url(&text[start..start + len]) {
                out.push_str(&text[copied..start]);
                out.push_str(&redacted);
                copied = start + len;
                changed = true;
            }
            // Every match is at least "http://" long, so the scan always moves on.
            pos = start + len;
        }
        if !changed {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// Redacts an absolute URL for `url.full`.
    pub fn redact_url<'a>(&self, url: &'a str) -> Cow<'a, str> {
        let (before_fragment, fragment) = match url.find('#') {
            Some(i) => (&url[..i], &url[i..]),
            None => (url, ""),
        };
        let (base, query) = match before_fragment.find('?') {
            Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
            None => (before_fragment, None),
        };
        // The first `://`, found from the `:`s (a substring search costs more than the
        // whole URL on short inputs).
        let authority_start = base
            .match_indices(':')
            .find(|(i, _)| base[*i..].starts_with("://"))
            .map_or(0, |(i, _)| i + 3);
        let authority_end = base[authority_start..]
            .find('/')
            .map_or(base.len(), |i| authority_start + i);
        let userinfo = base[authority_start..authority_end]
            .rfind('@')
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
